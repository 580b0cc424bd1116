import { ApiProperty } from '@nestjs/swagger';
import { Expose, Transform, Type } from 'class-transformer';
import { idFrom, idsFrom } from '../serialize';
import { FileDto } from './file.dto';
import type { Message, ReactionSummary, ReplyQuote } from '@nest-chat/protocol';

/** The message a reply answers, as it was when the reply was sent. */
export class ReplyQuoteDto implements ReplyQuote {
  @Expose()
  @Transform(idFrom('id'))
  id!: string;

  @Expose()
  @ApiProperty({ type: 'integer' })
  seq!: number;

  @Expose()
  @Transform(idFrom('senderId'))
  senderId!: string;

  /** Up to 200 characters of its body; "" if it was deleted. */
  @Expose()
  excerpt!: string;
}

/** One emoji on a message: how many set it, and the first ten who did. */
export class ReactionSummaryDto implements ReactionSummary {
  @Expose()
  emoji!: string;

  @Expose()
  @ApiProperty({ type: 'integer' })
  count!: number;

  @Expose()
  @Transform(idsFrom('userIds'))
  userIds!: string[];
}

/**
 * The wire form of a stored message: chat's messages and conversations' `lastMessage` both, so
 * it sits below both features.
 */
export class MessageDto implements Message<Date> {
  @Expose()
  @Transform(idFrom('_id'))
  id!: string;

  @Expose()
  @Transform(idFrom('conversationId'))
  conversationId!: string;

  /** Strictly increasing within the conversation, from 1. */
  @Expose()
  @ApiProperty({ type: 'integer' })
  seq!: number;

  @Expose()
  @Transform(idFrom('senderId'))
  senderId!: string;

  /** Set in direct conversations: the other member. */
  @Expose()
  @Transform(idFrom('receiverId'))
  receiverId!: string | null;

  /** Empty once deleted. */
  @Expose()
  body!: string;

  @Expose()
  clientMsgId!: string | null;

  @Expose()
  createdAt!: Date;

  @Expose()
  editedAt!: Date | null;

  @Expose()
  deletedAt!: Date | null;

  /** The rev of the message's latest change (edit, delete, reaction), 0 if none. */
  @Expose()
  @Transform(({ obj }: { obj: { rev?: number } }) => obj.rev ?? 0)
  @ApiProperty({ type: 'integer' })
  rev!: number;

  /** The message this one answers, quoted when it was sent; null if none. */
  @Expose()
  @Type(() => ReplyQuoteDto)
  @Transform(({ value }: { value?: ReplyQuoteDto | null }) => value ?? null)
  replyTo!: ReplyQuoteDto | null;

  /** Members named as `@username` in the body when it was sent. */
  @Expose()
  @Transform(idsFrom('mentions'))
  mentions!: string[];

  /** Each distinct emoji once, in the order first used; at most 20. */
  @Expose()
  @Type(() => ReactionSummaryDto)
  @Transform(({ value }: { value?: ReactionSummaryDto[] }) => value ?? [])
  reactions!: ReactionSummaryDto[];

  /** Files sent with it, as they were when sent; [] once deleted. */
  @Expose()
  @Type(() => FileDto)
  @Transform(({ value }: { value?: FileDto[] }) => value ?? [])
  attachments!: FileDto[];
}
