import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Types } from 'mongoose';
import { ChangeLog, type ChangeDraft } from '../changes/change-log';
import { ConversationTurns } from '../changes/conversation-turns';
import { MessageDto } from '../common/dto/message.dto';
import { AppError } from '../common/errors/app-error';
import { PageReads } from '../common/page-reads';
import { serialize } from '../common/serialize';
import type { Change } from '../persistence/changes/change.schema';
import { ChangesRepository } from '../persistence/changes/changes.repository';
import type { Conversation } from '../persistence/conversations/conversation.schema';
import { ConversationsRepository } from '../persistence/conversations/conversations.repository';
import type { Message } from '../persistence/messages/message.schema';
import { MessagesRepository } from '../persistence/messages/messages.repository';
import { ConversationChanged } from './conversation-events';
import { ChangeDto, ChangesPageDto, ConversationStateDto } from './dto/change.dto';
import { DEFAULT_PAGE_SIZE } from '../common/dto/conversation-page.dto';
import { MembershipsService } from './memberships.service';

const MESSAGE_KINDS = new Set(['message:updated', 'message:deleted']);

/**
 * The change feed of a conversation: numbering its own changes (members, title) and telling the
 * members, and reading the feed back (`changes`) with each changed object in its current state.
 */
@Injectable()
export class ChangeFeed {
  constructor(
    private readonly log: ChangeLog,
    private readonly turns: ConversationTurns,
    private readonly changes: ChangesRepository,
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly memberships: MembershipsService,
    private readonly pages: PageReads,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * A change of the conversation itself: `apply` changes the state (false: nothing to change, no
   * rev), then the change is numbered and the members told, all in the conversation's turn. The
   * state is written first, so a reader of the feed never sees a rev before its state; a process
   * dying in between leaves that one change without a rev (the next change carries the state).
   */
  async record(
    conversationId: Types.ObjectId,
    draft: ChangeDraft,
    apply: () => Promise<boolean>,
  ): Promise<number | null> {
    return this.turns.exclusive(conversationId.toHexString(), async () => {
      if (!(await apply())) return null;
      const change = await this.log.record(conversationId, draft);
      const conversation = await this.state(conversationId, change.rev);
      const removedUserId =
        draft.kind === 'member:left' ? (draft.userId?.toHexString() ?? null) : null;
      this.events.emit(
        ConversationChanged.event,
        new ConversationChanged(
          { ...this.item(change, { conversation }), conversationId: conversation.id, conversation },
          conversation.memberIds,
          removedUserId,
        ),
      );
      return change.rev;
    });
  }

  latestRev(conversationId: Types.ObjectId): Promise<number> {
    return this.log.latestRev(conversationId);
  }

  /** Every change after `afterRev`, for a member (NOT_FOUND to anyone else, removed members too). */
  async page(
    userId: string,
    conversationId: string,
    afterRev: number,
    limit = DEFAULT_PAGE_SIZE,
  ): Promise<ChangesPageDto> {
    const { _id } = await this.memberships.requireMember(conversationId, userId);
    // The same for every member, so members asking at once share one read.
    return this.pages.run(`changes:${_id.toHexString()}:${afterRev}:${limit}`, async () => {
      const [found, lastRev] = await Promise.all([
        this.changes.after(_id, afterRev, limit + 1),
        this.log.latestRev(_id),
      ]);
      const changes = found.slice(0, limit);
      const messages = await this.currentMessages(changes);
      const conversation = changes.some((change) => !MESSAGE_KINDS.has(change.kind))
        ? await this.state(_id, lastRev)
        : undefined;
      const items = changes.map((change) =>
        MESSAGE_KINDS.has(change.kind)
          ? this.item(change, { message: messages.get(change.messageId?.toHexString() ?? '') })
          : this.item(change, { conversation }),
      );
      // A change numbered between the two reads may be in the page but not in lastRev.
      const newest = Math.max(lastRev, changes.at(-1)?.rev ?? 0);
      return { items, hasMore: found.length > limit, lastRev: newest };
    });
  }

  /** What every member shares of the conversation, read now. */
  async state(conversationId: Types.ObjectId, lastRev: number): Promise<ConversationStateDto> {
    const [conversation, memberIds] = await Promise.all([
      this.conversations.findById(conversationId),
      this.memberships.memberIds(conversationId),
    ]);
    if (!conversation) throw new AppError('NOT_FOUND', 'Conversation not found');
    return stateOf(conversation, memberIds, lastRev);
  }

  /**
   * The changed messages in their current state. A change whose message does not carry it yet
   * (its writer died between numbering and applying it, or is applying it right now) is applied
   * here first: the change keeps what it sets, and applying is idempotent and never goes back.
   */
  private async currentMessages(changes: readonly Change[]): Promise<Map<string, MessageDto>> {
    const latest = new Map<string, Change>();
    const ids: Types.ObjectId[] = [];
    for (const change of changes) {
      if (!change.messageId) continue;
      const key = change.messageId.toHexString();
      if (!latest.has(key)) ids.push(change.messageId);
      latest.set(key, change);
    }
    if (ids.length === 0) return new Map();
    const found = await this.messages.findByIds(ids);
    const current = new Map<string, MessageDto>();
    for (const message of found) {
      const key = message._id.toHexString();
      const change = latest.get(key);
      let state: Message = message;
      if (change?.patch && (message.rev ?? 0) < change.rev) {
        await this.messages.applyChange(message._id, change.rev, change.patch);
        state = { ...message, ...change.patch, rev: change.rev };
      }
      current.set(key, serialize(MessageDto, state));
    }
    return current;
  }

  private item(
    change: Change,
    about: { message?: MessageDto; conversation?: ConversationStateDto },
  ): ChangeDto {
    return {
      rev: change.rev,
      kind: change.kind,
      at: change.at,
      actorId: change.actorId.toHexString(),
      ...(about.message ? { message: about.message } : {}),
      ...(about.conversation ? { conversation: about.conversation } : {}),
      ...(change.userId ? { userId: change.userId.toHexString() } : {}),
    };
  }
}

export function stateOf(
  conversation: Conversation,
  memberIds: readonly Types.ObjectId[],
  lastRev: number,
): ConversationStateDto {
  return {
    id: conversation._id.toHexString(),
    type: conversation.type,
    title: conversation.title,
    memberIds: memberIds.map((id) => id.toHexString()),
    createdAt: conversation.createdAt,
    lastRev,
  };
}
