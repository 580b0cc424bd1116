import { ApiProperty } from '@nestjs/swagger';
import { Expose, Transform } from 'class-transformer';
import { idFrom } from '../../common/serialize';
import type { Message } from '@nest-chat/protocol';

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

  /** The rev of the message's latest change (edit, delete), 0 if none. */
  @Expose()
  @Transform(({ obj }: { obj: { rev?: number } }) => obj.rev ?? 0)
  @ApiProperty({ type: 'integer' })
  rev!: number;
}
