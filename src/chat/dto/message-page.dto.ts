import { MessageDto } from '../../common/dto/message.dto';
import type { MessagePage } from '@nest-chat/protocol';

/** A page of messages ascending by seq; `hasMore` says whether the next page has any. */
export class MessagePageDto implements MessagePage<Date> {
  items!: MessageDto[];
  hasMore!: boolean;
}
