import { Expose } from 'class-transformer';

/** What `GET /api/message-stats/:conversationId` answers. */
export class MessageStatsDto {
  @Expose()
  conversationId!: string;

  /** Messages stored in the conversation since this process started. */
  @Expose()
  messages!: number;

  /** The same, per sender id. */
  @Expose()
  bySender!: Record<string, number>;
}
