import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { serialize } from '../common/serialize';
import type { Conversation } from '../persistence/conversations/conversation.schema';
import { ConversationsRepository } from '../persistence/conversations/conversations.repository';
import { MessagesRepository } from '../persistence/messages/messages.repository';
import { ActivityRecorder } from './activity-recorder';
import { ChangeFeed } from './change-feed';
import { ConversationDto } from './dto/conversation.dto';
import { ListConversationsDto } from './dto/list-conversations.dto';
import { MembershipsService } from './memberships.service';
import { ReadPointersService } from './read-pointers.service';

/** Conversations as a member sees them: one, the list by activity, all of them for the export. */
@Injectable()
export class ConversationViews {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly memberships: MembershipsService,
    private readonly readPointers: ReadPointersService,
    private readonly activity: ActivityRecorder,
    private readonly feed: ChangeFeed,
  ) {}

  async get(conversationId: string, userId: string): Promise<ConversationDto> {
    return this.view(await this.memberships.requireMember(conversationId, userId), userId);
  }

  /** The user's conversations, latest activity first. */
  async list(userId: string, query: ListConversationsDto): Promise<ConversationDto[]> {
    // Activity is written behind the sends; what this process holds goes in before we sort.
    await this.activity.settled();
    const ids = await this.memberships.conversationIdsOf(parseId(userId, 'User'));
    if (ids.length === 0) return [];
    const conversations = await this.conversations.latestActive(
      ids,
      query.limit ?? 50,
      query.before ? new Date(query.before) : undefined,
    );
    return Promise.all(conversations.map((conversation) => this.view(conversation, userId)));
  }

  /** Every conversation of the user as they see it, one at a time (the account export). */
  async *viewsOf(userId: string): AsyncGenerator<ConversationDto> {
    for (const id of await this.memberships.conversationIdsOf(parseId(userId, 'User'))) {
      const conversation = await this.memberships
        .requireMember(id.toHexString(), userId)
        .catch((error: unknown) => {
          if (error instanceof AppError && error.code === 'NOT_FOUND') return null; // left meanwhile
          throw error;
        });
      if (conversation) yield await this.view(conversation, userId);
    }
  }

  /** The recorded lastSeq (written behind the messages: at most moments behind them). */
  lastSeq(conversationId: Types.ObjectId): Promise<number> {
    return this.conversations.lastSeq(conversationId);
  }

  /**
   * The conversation as `userId` sees it: members, last message, read pointer, unread and
   * mention counts, everyone's receipts, pins.
   */
  async view(conversation: Conversation, userId: string): Promise<ConversationDto> {
    const me = parseId(userId, 'User');
    const [roster, lastMessage, reads, lastRev] = await Promise.all([
      this.memberships.roster(conversation._id),
      this.messages.latest(conversation._id),
      this.readPointers.reads(conversation._id),
      this.feed.latestRev(conversation._id),
    ]);
    const lastReadSeq = reads.find((read) => read.userId === userId)?.seq ?? 0;
    const lastSeq = lastMessage?.seq ?? 0;
    const unreadCount =
      lastSeq > lastReadSeq
        ? await this.messages.countUnread(conversation._id, me, lastReadSeq)
        : 0;
    // Only unread messages count, so with none unread there is nothing to look for.
    const mentionCount =
      unreadCount > 0
        ? await this.messages.countUnreadMentions(conversation._id, me, lastReadSeq)
        : 0;
    return serialize(ConversationDto, {
      ...conversation,
      memberIds: roster.map((member) => member.userId),
      members: roster,
      lastSeq,
      lastMessage,
      lastReadSeq,
      unreadCount,
      mentionCount,
      lastRev,
      reads,
    });
  }
}
