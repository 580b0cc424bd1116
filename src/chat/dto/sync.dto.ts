import { IsInt, Max, Min } from 'class-validator';
import type { SyncPayload } from '@nest-chat/protocol';
import { ConversationPageDto } from '../../common/dto/conversation-page.dto';

export class SyncDto extends ConversationPageDto implements SyncPayload {
  /** The last seq the client holds (0 for none): every message after it is returned. */
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  afterSeq!: number;
}
