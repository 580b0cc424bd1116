import { Injectable } from '@nestjs/common';
import type { MemberRole } from '@nest-chat/protocol';
import type { Types } from 'mongoose';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { BlocksService } from '../identity/blocks.service';
import { UsersService } from '../identity/users.service';
import type { Conversation } from '../persistence/conversations/conversation.schema';
import { ConversationsRepository } from '../persistence/conversations/conversations.repository';
import { ChangeFeed } from './change-feed';
import { ConversationAnnouncer } from './conversation-announcer';
import { ConversationViews } from './conversation-views';
import { ConversationDto } from './dto/conversation.dto';
import { MANAGERS, MembershipsService } from './memberships.service';

/** Changing a group: who is in it, their roles, its title; and leaving every group at once. */
@Injectable()
export class GroupMembers {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly memberships: MembershipsService,
    private readonly users: UsersService,
    private readonly blocks: BlocksService,
    private readonly feed: ChangeFeed,
    private readonly views: ConversationViews,
    private readonly announcer: ConversationAnnouncer,
  ) {}

  /**
   * The group's admins and owner add members: `member:joined` (a rev) to the members, and the
   * user gets `conversation:new` on all sockets. Adding a member again changes nothing.
   */
  async addMember(actorId: string, conversationId: string, userId: string): Promise<void> {
    const conversation = await this.memberships.requireMember(conversationId, actorId);
    this.requireGroup(conversation);
    await this.memberships.requireRole(conversationId, actorId, MANAGERS, 'add members');
    const user = parseId(userId, 'User');
    await this.users.requireActive([user]);
    if (await this.blocks.has(user, parseId(actorId, 'User'))) {
      throw new AppError('FORBIDDEN', 'This user does not accept being added by you');
    }
    const rev = await this.feed.record(
      conversation._id,
      { kind: 'member:joined', actorId: parseId(actorId, 'User'), userId: user },
      async () => (await this.memberships.add(conversation._id, [user])).length > 0,
    );
    if (rev !== null) await this.announcer.announce(conversation, [user]);
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
    return this.views.get(conversationId, actorId);
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
    return this.views.get(conversationId, actorId);
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

  private requireGroup(
    conversation: Conversation,
    message = 'Members can only be changed in a group',
  ): void {
    if (conversation.type !== 'group') throw new AppError('VALIDATION_FAILED', message);
  }
}
