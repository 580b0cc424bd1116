import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Types } from 'mongoose';
import type { MemberRole } from '@nest-chat/protocol';
import { MessagesRepository } from '../persistence/messages/messages.repository';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { serialize } from '../common/serialize';
import { BlocksService } from '../identity/blocks.service';
import { UsersService } from '../identity/users.service';
import { MembersJoined } from '../realtime/membership-events';
import { ChatBroadcaster } from '../realtime/chat-broadcaster';
import { isDuplicateKey } from '../database/is-duplicate-key';
import { ActivityRecorder } from './activity-recorder';
import { ChangeFeed } from './change-feed';
import { ConversationDto } from './dto/conversation.dto';
import { CreateGroupDto } from './dto/create-group.dto';
import { ListConversationsDto } from './dto/list-conversations.dto';
import { MANAGERS, MembershipsService } from './memberships.service';
import { ReadPointersService } from './read-pointers.service';
import type { Conversation } from '../persistence/conversations/conversation.schema';
import { ConversationsRepository } from '../persistence/conversations/conversations.repository';

export const directKey = (a: Types.ObjectId, b: Types.ObjectId): string =>
  [a.toHexString(), b.toHexString()].sort().join(':');

/** Creating, listing and showing conversations, and changing who is in a group. */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly memberships: MembershipsService,
    private readonly readPointers: ReadPointersService,
    private readonly users: UsersService,
    private readonly broadcaster: ChatBroadcaster,
    private readonly activity: ActivityRecorder,
    private readonly events: EventEmitter2,
    private readonly feed: ChangeFeed,
    private readonly blocks: BlocksService,
  ) {}

  /** The direct conversation of the pair, created on first use; announced to both when created. */
  async direct(userId: string, otherId: string): Promise<Conversation> {
    const me = parseId(userId, 'User');
    const other = parseId(otherId, 'User');
    if (me.equals(other)) {
      throw new AppError('VALIDATION_FAILED', 'A direct conversation needs another user');
    }
    const uniqueKey = directKey(me, other);
    const existing = await this.conversations.findByUniqueKey(uniqueKey);
    const [blocked, blocking] = existing
      ? [(existing.blockedBy ?? []).some((id) => id.equals(other)), false]
      : await Promise.all([this.blocks.has(other, me), this.blocks.has(me, other)]);
    if (blocked) throw new AppError('FORBIDDEN', 'This user does not accept messages from you');
    if (existing) {
      // Membership is written after the conversation (no transactions): repair a torn create.
      if ((await this.memberships.memberIds(existing._id)).length < 2) {
        await this.memberships.add(existing._id, [me, other]);
      }
      return existing;
    }
    await this.requireUsers([other]);
    let conversation: Conversation;
    try {
      conversation = await this.conversations.create({
        type: 'direct',
        title: null,
        creatorId: me,
        uniqueKey,
        lastActivityAt: new Date(),
        // Opened by someone who blocked the other: the block holds in it from the start.
        blockedBy: blocking ? [me] : [],
      });
    } catch (error) {
      // Both members opened it at once: the unique key kept one, and that one is the answer.
      const winner = isDuplicateKey(error)
        ? await this.conversations.findByUniqueKey(uniqueKey)
        : null;
      if (!winner) throw error;
      await this.memberships.add(winner._id, [me, other]);
      return winner;
    }
    await this.memberships.add(conversation._id, [me, other]);
    await this.announce(conversation, [me, other]);
    return conversation;
  }

  /** A group with the creator and the given members; announced to every member. */
  async createGroup(userId: string, dto: CreateGroupDto): Promise<ConversationDto> {
    const creator = parseId(userId, 'User');
    const others = [...new Set(dto.memberIds)]
      .map((id) => parseId(id, 'User'))
      .filter((id) => !id.equals(creator));
    await this.requireUsers(others);
    // As when adding a member; which of them blocked the creator is theirs to know, not the creator's.
    const blockers = await this.blocks.blockersAmong(
      userId,
      others.map((id) => id.toHexString()),
    );
    if (blockers.size > 0) {
      throw new AppError('FORBIDDEN', 'Someone in that list does not accept being added by you');
    }
    const _id = new Types.ObjectId();
    const conversation = await this.conversations.create({
      _id,
      type: 'group',
      title: dto.title.trim(),
      creatorId: creator,
      uniqueKey: `g:${_id.toHexString()}`,
      lastActivityAt: new Date(),
    });
    const members = [creator, ...others];
    await this.memberships.add(_id, members);
    await this.announce(conversation, members);
    return this.view(conversation, userId);
  }

  /**
   * The group's admins and owner add members: `member:joined` (a rev) to the members, and the
   * user gets `conversation:new` on all sockets. Adding a member again changes nothing.
   */
  async addMember(actorId: string, conversationId: string, userId: string): Promise<void> {
    const conversation = await this.memberships.requireMember(conversationId, actorId);
    this.requireGroup(conversation);
    await this.memberships.requireRole(conversationId, actorId, MANAGERS, 'add members');
    const user = parseId(userId, 'User');
    await this.requireUsers([user]);
    if (await this.blocks.has(user, parseId(actorId, 'User'))) {
      throw new AppError('FORBIDDEN', 'This user does not accept being added by you');
    }
    const rev = await this.feed.record(
      conversation._id,
      { kind: 'member:joined', actorId: parseId(actorId, 'User'), userId: user },
      async () => (await this.memberships.add(conversation._id, [user])).length > 0,
    );
    if (rev !== null) await this.announce(conversation, [user]);
  }

  /**
   * A member may leave (the owner only once nobody else is left, or after handing ownership
   * over); admins remove members, the owner removes anyone.
   */
  async removeMember(actorId: string, conversationId: string, userId: string): Promise<void> {
    const conversation = await this.memberships.requireMember(conversationId, actorId);
    this.requireGroup(conversation);
    const user = parseId(userId, 'User');
    const actor = parseId(actorId, 'User');
    const roster = await this.memberships.roster(conversation._id);
    const roleOf = (id: Types.ObjectId) =>
      roster.find((member) => member.userId.equals(id))?.role ?? null;
    if (user.equals(actor)) {
      if (roleOf(actor) === 'owner' && roster.length > 1) {
        throw new AppError('FORBIDDEN', 'The owner leaves after making another member the owner');
      }
    } else {
      const [mine, theirs] = [roleOf(actor), roleOf(user)];
      const allowed =
        mine === 'owner' || (mine === 'admin' && theirs !== 'admin' && theirs !== 'owner');
      if (!allowed) {
        throw new AppError(
          'FORBIDDEN',
          mine === 'admin'
            ? "Only the group's owner may remove an admin or the owner"
            : "Only the group's admins or owner may remove other members",
        );
      }
    }
    const rev = await this.feed.record(
      conversation._id,
      { kind: 'member:left', actorId: actor, userId: user },
      () => this.memberships.remove(conversation._id, user),
    );
    if (rev === null) throw new AppError('NOT_FOUND', 'That user is not a member');
  }

  /**
   * The group's admins and owner rename it: `conversation:updated` (a rev) to the members. The
   * same title again changes nothing and takes no rev.
   */
  async rename(actorId: string, conversationId: string, title: string): Promise<ConversationDto> {
    const conversation = await this.memberships.requireMember(conversationId, actorId);
    this.requireGroup(conversation, 'Only a group has a title');
    await this.memberships.requireRole(conversationId, actorId, MANAGERS, 'rename it');
    const actor = parseId(actorId, 'User');
    const wanted = title.trim();
    await this.feed.record(
      conversation._id,
      { kind: 'conversation:updated', actorId: actor },
      async () => {
        if (!(await this.conversations.setTitle(conversation._id, wanted))) return false;
        this.memberships.forget(conversation._id);
        return true;
      },
    );
    return this.get(conversationId, actorId);
  }

  /**
   * The owner gives a member a role: `admin` or `member`, or `owner` to hand ownership over (the
   * former owner becomes an admin). `member:role` (a rev) to the members; the same role again
   * changes nothing and takes no rev.
   */
  async setRole(
    actorId: string,
    conversationId: string,
    userId: string,
    role: MemberRole,
  ): Promise<ConversationDto> {
    const conversation = await this.memberships.requireMember(conversationId, actorId);
    this.requireGroup(conversation, 'Only a group has roles');
    await this.memberships.requireRole(conversationId, actorId, ['owner'], 'change roles');
    const actor = parseId(actorId, 'User');
    const user = parseId(userId, 'User');
    if (user.equals(actor)) {
      throw new AppError(
        'VALIDATION_FAILED',
        "The owner's role changes by making another member the owner",
      );
    }
    const current = await this.memberships.roleOf(conversation._id, user);
    if (!current) throw new AppError('NOT_FOUND', 'That user is not a member');
    await this.feed.record(
      conversation._id,
      { kind: 'member:role', actorId: actor, userId: user },
      async () => {
        if ((await this.memberships.roleOf(conversation._id, user)) === role) return false;
        // The new owner first: a crash in between leaves two owners, never none.
        await this.memberships.setRole(conversation._id, user, role);
        if (role === 'owner') await this.memberships.setRole(conversation._id, actor, 'admin');
        return true;
      },
    );
    return this.get(conversationId, actorId);
  }

  /**
   * The user leaves every group (the account is being deleted); an owner first hands ownership to
   * the longest-standing admin, else member. Direct conversations stay, for the other member.
   */
  async leaveAll(userId: string): Promise<void> {
    const me = parseId(userId, 'User');
    for (const id of await this.memberships.conversationIdsOf(me)) {
      const roster = await this.memberships.roster(id);
      const conversation = await this.memberships.requireMember(id.toHexString(), userId);
      if (conversation.type !== 'group') continue;
      const others = roster.filter((member) => !member.userId.equals(me));
      const mine = roster.find((member) => member.userId.equals(me))?.role;
      if (mine === 'owner' && others.length > 0) {
        const heir = others.find((member) => member.role === 'admin') ?? others[0];
        await this.setRole(userId, id.toHexString(), heir.userId.toHexString(), 'owner');
      }
      await this.removeMember(userId, id.toHexString(), userId);
    }
  }

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

  private requireGroup(
    conversation: Conversation,
    message = 'Members can only be changed in a group',
  ): void {
    if (conversation.type !== 'group') throw new AppError('VALIDATION_FAILED', message);
  }

  private async requireUsers(ids: Types.ObjectId[]): Promise<void> {
    const found = new Set((await this.users.activeIds(ids)).map((id) => id.toHexString()));
    const missing = ids.filter((id) => !found.has(id.toHexString()));
    if (missing.length > 0) {
      throw new AppError('NOT_FOUND', `User not found: ${missing.map(String).join(', ')}`);
    }
  }

  /**
   * `conversation:new` to each of `userIds`, as that user sees the conversation; then the members
   * who now share a conversation learn each other's presence.
   */
  private async announce(conversation: Conversation, userIds: Types.ObjectId[]): Promise<void> {
    const joined = userIds.map((id) => id.toHexString());
    const views = await Promise.all(joined.map((userId) => this.view(conversation, userId)));
    views.forEach((view, i) => this.broadcaster.toUsers([joined[i]], 'conversation:new', view));
    this.events.emit(MembersJoined.event, new MembersJoined(joined, views[0]?.memberIds ?? joined));
  }
}
