import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Types } from 'mongoose';
import { ChangeLog, type ChangeDraft } from '../changes/change-log';
import { ConversationTurns } from '../changes/conversation-turns';
import { MessageDto } from '../common/dto/message.dto';
import { messageView } from '../common/dto/message-view';
import { AppError } from '../common/errors/app-error';
import { PageReads } from '../common/page-reads';
import { serialize } from '../common/serialize';
import type { Change } from '../persistence/changes/change.schema';
import type { Message } from '../persistence/messages/message.schema';
import { ChangesRepository } from '../persistence/changes/changes.repository';
import { ConversationsRepository } from '../persistence/conversations/conversations.repository';
import { ConversationChanged } from './conversation-events';
import { ChangeDto, ChangesPageDto, ConversationStateDto } from './dto/change.dto';
import { MemberDto } from './dto/member.dto';
import { DEFAULT_PAGE_SIZE } from '../common/dto/conversation-page.dto';
import { MembershipsService } from './memberships.service';

/**
 * The change feed of a conversation: numbering its own changes (members, title) and telling the
 * members, and reading the feed back (`changes`): a message as the change left it (in rev order,
 * the last one of each message is its current state), the conversation's shared state as it is now.
 */
@Injectable()
export class ChangeFeed {
  constructor(
    private readonly log: ChangeLog,
    private readonly turns: ConversationTurns,
    private readonly changes: ChangesRepository,
    private readonly conversations: ConversationsRepository,
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
      const item = this.item(change, { conversation, message: this.pinned(change) });
      this.events.emit(
        ConversationChanged.event,
        new ConversationChanged(
          { ...item, conversationId: conversation.id, conversation },
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
    /** Whether the asker has gone (see ReadGate.run). */
    gone?: () => boolean,
  ): Promise<ChangesPageDto> {
    const { _id } = await this.memberships.requireMember(conversationId, userId);
    // The same for every member, so members asking at once share one read.
    const key = `changes:${_id.toHexString()}:${afterRev}:${limit}`;
    return this.pages.run(key, () => this.after(_id, afterRev, limit), gone, userId);
  }

  /**
   * Up to `limit` changes after `afterRev` as the feed serves them, for the server's own readers
   * (webhook delivery): no membership is checked here.
   */
  async after(
    conversationId: Types.ObjectId,
    afterRev: number,
    limit: number,
  ): Promise<ChangesPageDto> {
    const found = await this.changes.after(conversationId, afterRev, limit + 1);
    const hasMore = found.length > limit;
    const changes = found.slice(0, limit);
    // A short page ends at the latest rev (or the client's own, if it claims more); only a full
    // one needs the latest looked up (on FerretDB, one more scan of the changes).
    const lastRev = hasMore
      ? Math.max(await this.log.latestRev(conversationId), found[limit].rev)
      : Math.max(afterRev, changes.at(-1)?.rev ?? 0);
    const ofMessages = (change: Change): change is Change & { message: Message } =>
      change.message !== null && change.kind !== 'pin';
    const conversation = changes.some((change) => !ofMessages(change))
      ? await this.state(conversationId, lastRev)
      : undefined;
    const items = changes.map((change) =>
      ofMessages(change)
        ? this.item(change, {
            // Stored before its rev was known: the change's rev is the message's.
            message: messageView({ ...change.message, rev: change.rev }),
          })
        : this.item(change, { conversation, message: this.pinned(change) }),
    );
    return { items, hasMore, lastRev };
  }

  /** What every member shares of the conversation, read now. */
  async state(conversationId: Types.ObjectId, lastRev: number): Promise<ConversationStateDto> {
    const [conversation, roster] = await Promise.all([
      this.conversations.findById(conversationId),
      this.memberships.roster(conversationId),
    ]);
    if (!conversation) throw new AppError('NOT_FOUND', 'Conversation not found');
    return {
      id: conversation._id.toHexString(),
      type: conversation.type,
      title: conversation.title,
      memberIds: roster.map((member) => member.userId.toHexString()),
      createdAt: conversation.createdAt,
      lastRev,
      pinnedMessageIds: (conversation.pinnedMessageIds ?? []).map((id) => id.toHexString()),
      members: roster.map((member) => serialize(MemberDto, member)),
    };
  }

  /** A pin's message, as it was when pinned or unpinned (with its own rev, not the pin's). */
  private pinned(change: Change): MessageDto | undefined {
    return change.kind === 'pin' && change.message ? messageView(change.message) : undefined;
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
