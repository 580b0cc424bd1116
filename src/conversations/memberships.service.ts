import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Types } from 'mongoose';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { FanoutResumed } from '../realtime/fanout-events';
import { MembersChanged } from '../realtime/membership-events';
import { ChatBroadcaster } from '../realtime/chat-broadcaster';
import type { MemberRole } from '@nest-chat/protocol';
import { ConversationMembers, Member, MemberCache } from './member-cache';
import type { Conversation } from '../persistence/conversations/conversation.schema';
import { ConversationsRepository } from '../persistence/conversations/conversations.repository';
import { MembershipsRepository } from '../persistence/memberships/memberships.repository';
import type { Message } from '../persistence/messages/message.schema';
import { MessagesRepository } from '../persistence/messages/messages.repository';

const NOT_FOUND = 'Conversation not found';
const BLOCKED = 'This user does not accept messages from you';

/**
 * Whether `userId` is blocked in the conversation: a direct one whose other member blocked them.
 * Read from the cached conversation (DirectBlocks keeps it in step), so it costs no database read.
 */
export const isBlockedIn = (conversation: Conversation, userId: Types.ObjectId): boolean =>
  conversation.type === 'direct' && (conversation.blockedBy ?? []).some((id) => !id.equals(userId));

/** Who may manage a group: add and remove members, rename, pin, delete any message. */
export const MANAGERS: readonly MemberRole[] = ['owner', 'admin'];

/** A dropped announcement (Redis away) is healed by this bound on a cached member list's age. */
const MEMBER_CACHE_TTL_MS = 30_000;
const MEMBER_CACHE_MAX_CONVERSATIONS = 20_000;

/**
 * Who belongs to which conversation: checked on every call (never per socket), answered from a
 * per-process cache that every membership change drops in all processes.
 */
@Injectable()
export class MembershipsService {
  private readonly cache = new MemberCache(
    (conversationId) => this.load(conversationId),
    MEMBER_CACHE_TTL_MS,
    MEMBER_CACHE_MAX_CONVERSATIONS,
  );

  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly memberships: MembershipsRepository,
    private readonly messages: MessagesRepository,
    private readonly broadcaster: ChatBroadcaster,
  ) {}

  /** Another process changed the members: its list here is stale. */
  @OnEvent(MembersChanged.event)
  dropCached({ conversationId }: MembersChanged): void {
    this.cache.drop(conversationId);
  }

  /** The announcements of other processes' changes may have been lost meanwhile. */
  @OnEvent(FanoutResumed.event)
  dropAllCached({ link }: FanoutResumed): void {
    if (link === 'subscribe') this.cache.clear();
  }

  /**
   * The conversation, if the user is a member. Non-members get the same NOT_FOUND as a missing
   * conversation, so existence is not leaked.
   */
  async requireMember(conversationId: string, userId: string): Promise<Conversation> {
    const id = parseId(conversationId, 'Conversation');
    const user = parseId(userId, 'User');
    const { conversation, members } = await this.cache.get(id.toHexString());
    if (!conversation || !members.some((member) => member.equals(user))) {
      throw new AppError('NOT_FOUND', NOT_FOUND);
    }
    return conversation;
  }

  /**
   * The message, if the user is a member of its conversation (edits, deletes, reactions, pins);
   * anyone else gets the same NOT_FOUND as for a message that does not exist.
   */
  async requireVisibleMessage(messageId: string, userId: string): Promise<Message> {
    const found = await this.messages.findById(parseId(messageId, 'Message'));
    if (!found || !(await this.isMember(found.conversationId, parseId(userId, 'User')))) {
      throw new AppError('NOT_FOUND', 'Message not found');
    }
    return found;
  }

  /**
   * As requireVisibleMessage, for a change to the message (edit, reaction, pin): FORBIDDEN where
   * the user may not send either (a direct conversation whose other member blocked them).
   */
  async requireWritableMessage(messageId: string, userId: string): Promise<Message> {
    const message = await this.requireVisibleMessage(messageId, userId);
    const { conversation } = await this.cache.get(message.conversationId.toHexString());
    if (conversation && isBlockedIn(conversation, parseId(userId, 'User'))) {
      throw new AppError('FORBIDDEN', BLOCKED);
    }
    return message;
  }

  /**
   * The conversation, if the user is a member whose role is one of `roles` in a group: FORBIDDEN
   * for any other member (NOT_FOUND, as ever, for anyone else). In a direct conversation both
   * members may do what a group's admins may.
   */
  async requireRole(
    conversationId: string,
    userId: string,
    roles: readonly MemberRole[],
    what: string,
  ): Promise<Conversation> {
    const conversation = await this.requireMember(conversationId, userId);
    if (conversation.type === 'group') {
      const role = await this.roleOf(conversation._id, parseId(userId, 'User'));
      if (!role || !roles.includes(role)) {
        throw new AppError('FORBIDDEN', `Only the group's ${roles.join(' or ')} may ${what}`);
      }
    }
    return conversation;
  }

  /** The member's role, or null when they are not a member. */
  async roleOf(conversationId: Types.ObjectId, userId: Types.ObjectId): Promise<MemberRole | null> {
    const { roster } = await this.cache.get(conversationId.toHexString());
    return roster.find((member) => member.userId.equals(userId))?.role ?? null;
  }

  /** The members with their roles, in the order they joined. */
  async roster(conversationId: Types.ObjectId): Promise<readonly Member[]> {
    return (await this.cache.get(conversationId.toHexString())).roster;
  }

  async isMember(conversationId: Types.ObjectId, userId: Types.ObjectId): Promise<boolean> {
    const { members } = await this.cache.get(conversationId.toHexString());
    return members.some((member) => member.equals(userId));
  }

  async memberIds(conversationId: Types.ObjectId): Promise<readonly Types.ObjectId[]> {
    return (await this.cache.get(conversationId.toHexString())).members;
  }

  /** The members other than `userId`, as strings, ready to address events to. */
  async otherMemberIds(conversationId: Types.ObjectId, userId: Types.ObjectId): Promise<string[]> {
    return (await this.memberIds(conversationId))
      .filter((id) => !id.equals(userId))
      .map((id) => id.toHexString());
  }

  conversationIdsOf(userId: Types.ObjectId): Promise<Types.ObjectId[]> {
    return this.memberships.conversationIdsOf(userId);
  }

  /** Everyone who shares at least one conversation with the user (the user excluded). */
  async contactsOf(userId: string): Promise<string[]> {
    const me = parseId(userId, 'User');
    const conversationIds = await this.conversationIdsOf(me);
    if (conversationIds.length === 0) return [];
    const others = await this.memberships.othersIn(conversationIds, me);
    return [...new Set(others.map((id) => id.toHexString()))];
  }

  /** Adds members; returns those who were not members before. Safe to repeat and to race. */
  async add(conversationId: Types.ObjectId, userIds: Types.ObjectId[]): Promise<Types.ObjectId[]> {
    const added: Types.ObjectId[] = [];
    const joinedAt = new Date();
    try {
      for (const userId of userIds) {
        if (await this.memberships.add(conversationId, userId, joinedAt)) added.push(userId);
      }
    } finally {
      this.changed(conversationId);
    }
    return added;
  }

  /** Gives a member a role; false when they are not a member. */
  async setRole(
    conversationId: Types.ObjectId,
    userId: Types.ObjectId,
    role: MemberRole,
  ): Promise<boolean> {
    try {
      return await this.memberships.setRole(conversationId, userId, role);
    } finally {
      this.changed(conversationId);
    }
  }

  /** Removes a member; false when they were not one. */
  async remove(conversationId: Types.ObjectId, userId: Types.ObjectId): Promise<boolean> {
    try {
      return await this.memberships.remove(conversationId, userId);
    } finally {
      this.changed(conversationId);
    }
  }

  /** The conversation itself changed (its title): cached copies here and elsewhere are stale. */
  forget(conversationId: Types.ObjectId): void {
    this.changed(conversationId);
  }

  private async load(conversationId: string): Promise<ConversationMembers> {
    const id = parseId(conversationId, 'Conversation');
    const [conversation, records] = await Promise.all([
      this.conversations.findById(id),
      this.memberships.members(id),
    ]);
    const roster = records.map(({ userId, joinedAt, role }): Member => ({
      userId,
      joinedAt,
      // Before roles (or never given one): the creator of a group owns it.
      role:
        role ??
        (conversation?.type === 'group' && conversation.creatorId.equals(userId)
          ? 'owner'
          : 'member'),
    }));
    return { conversation, members: roster.map((member) => member.userId), roster };
  }

  /** Drops the cached member list here and, through the adapter, in every other process. */
  private changed(conversationId: Types.ObjectId): void {
    const id = conversationId.toHexString();
    this.cache.drop(id);
    this.broadcaster.announceMembersChanged(id);
  }
}
