import type { DeliveredPayload } from '@nest-chat/protocol';
import { ReadDto } from './read.dto';

/** Socket `delivered`: the client holds every message of the conversation up to `seq`. */
export class DeliveredDto extends ReadDto implements DeliveredPayload {}
