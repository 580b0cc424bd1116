import { MessageDto } from './message.dto';

/** A page of messages ascending by seq; `hasMore` says whether the next page has any. */
export class MessagePageDto {
  items!: MessageDto[];
  hasMore!: boolean;
}
