import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type {
  Change,
  ChangeKind,
  ChangesPage,
  ConversationState,
  ConversationType,
} from '@nest-chat/protocol';
import { MessageDto } from '../../common/dto/message.dto';
import { MemberDto } from './member.dto';

const CHANGE_KINDS: ChangeKind[] = [
  'message:updated',
  'message:deleted',
  'reaction',
  'pin',
  'member:joined',
  'member:left',
  'member:role',
  'conversation:updated',
];

/** What every member shares of a conversation, as carried by its changes. */
export class ConversationStateDto implements ConversationState<Date> {
  id!: string;
  @ApiProperty({ enum: ['direct', 'group'] })
  type!: ConversationType;
  title!: string | null;
  memberIds!: string[];
  createdAt!: Date;
  @ApiProperty({ type: 'integer' })
  lastRev!: number;
  /** Pinned messages, oldest pin first; at most 50. */
  pinnedMessageIds!: string[];
  /** The members with their roles, in the order they joined. */
  members!: MemberDto[];
}

/**
 * One change: the message as it left it, or the conversation's shared state as it is now (a pin
 * carries both, the message as it was when pinned or unpinned).
 */
export class ChangeDto implements Change<Date> {
  @ApiProperty({ type: 'integer' })
  rev!: number;
  @ApiProperty({ enum: CHANGE_KINDS })
  kind!: ChangeKind;
  at!: Date;
  actorId!: string;
  /** For message kinds and pins. */
  message?: MessageDto;
  /** For member, conversation and pin kinds. */
  conversation?: ConversationStateDto;
  /** For member kinds: who joined, left or got a new role. */
  @ApiPropertyOptional()
  userId?: string;
}

/** Changes ascending by rev; `lastRev` is the conversation's latest rev when read. */
export class ChangesPageDto implements ChangesPage<Date> {
  items!: ChangeDto[];
  hasMore!: boolean;
  @ApiProperty({ type: 'integer' })
  lastRev!: number;
}
