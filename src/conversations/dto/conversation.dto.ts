import { ApiProperty } from '@nestjs/swagger';
import { Expose, Transform, Type } from 'class-transformer';
import { MessageDto } from '../../common/dto/message.dto';
import { MemberDto } from './member.dto';
import { ReadReceiptDto } from './read-receipt.dto';
import { idFrom, idsFrom } from '../../common/serialize';
import type { ConversationType } from '../../persistence/conversations/conversation.schema';
import type { Conversation } from '@nest-chat/protocol';

/** A conversation as one member sees it: the last three fields are that member's own. */
export class ConversationDto implements Conversation<Date> {
  @Expose()
  @Transform(idFrom('_id'))
  id!: string;

  @Expose()
  type!: ConversationType;

  /** null for direct conversations. */
  @Expose()
  title!: string | null;

  @Expose()
  @Transform(idsFrom('memberIds'))
  memberIds!: string[];

  /** The members with their roles (owner, admin, member), in the order they joined. */
  @Expose()
  @Type(() => MemberDto)
  members!: MemberDto[];

  @Expose()
  createdAt!: Date;

  /** When its latest message was sent (its creation, before any): the list's order and `before`. */
  @Expose()
  lastActivityAt!: Date;

  /** The seq of the latest message, 0 when there is none. */
  @Expose()
  @ApiProperty({ type: 'integer' })
  lastSeq!: number;

  @Expose()
  @Type(() => MessageDto)
  lastMessage!: MessageDto | null;

  /** The asking user's read pointer. */
  @Expose()
  @ApiProperty({ type: 'integer' })
  lastReadSeq!: number;

  /** Messages from others after the read pointer. */
  @Expose()
  @ApiProperty({ type: 'integer' })
  unreadCount!: number;

  /** The rev of the conversation's latest change, 0 when there is none. */
  @Expose()
  @ApiProperty({ type: 'integer' })
  lastRev!: number;

  /** Every member's read and delivered pointers. */
  @Expose()
  @Type(() => ReadReceiptDto)
  reads!: ReadReceiptDto[];

  /** Unread messages (as counted by unreadCount) that mention the asking user. */
  @Expose()
  @ApiProperty({ type: 'integer' })
  mentionCount!: number;

  /** Pinned messages, oldest pin first; at most 50. */
  @Expose()
  @Transform(idsFrom('pinnedMessageIds'))
  pinnedMessageIds!: string[];
}
