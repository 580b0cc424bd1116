import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { isDuplicateKey } from '../database/is-duplicate-key';
import { BlocksService } from '../identity/blocks.service';
import { UsersService } from '../identity/users.service';
import type { Conversation } from '../persistence/conversations/conversation.schema';
import { ConversationsRepository } from '../persistence/conversations/conversations.repository';
import { ConversationAnnouncer } from './conversation-announcer';
import { ConversationViews } from './conversation-views';
import { ConversationDto } from './dto/conversation.dto';
import { CreateGroupDto } from './dto/create-group.dto';
import { MembershipsService } from './memberships.service';

export const directKey = (a: Types.ObjectId, b: Types.ObjectId): string =>
  [a.toHexString(), b.toHexString()].sort().join(':');

/** Opening conversations: the direct one of a pair, and new groups. */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly memberships: MembershipsService,
    private readonly users: UsersService,
    private readonly blocks: BlocksService,
    private readonly views: ConversationViews,
    private readonly announcer: ConversationAnnouncer,
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
    await this.users.requireActive([other]);
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
    await this.announcer.announce(conversation, [me, other]);
    return conversation;
  }

  /** A group with the creator and the given members; announced to every member. */
  async createGroup(userId: string, dto: CreateGroupDto): Promise<ConversationDto> {
    const creator = parseId(userId, 'User');
    const others = [...new Set(dto.memberIds)]
      .map((id) => parseId(id, 'User'))
      .filter((id) => !id.equals(creator));
    await this.users.requireActive(others);
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
    await this.announcer.announce(conversation, members);
    return this.views.view(conversation, userId);
  }
}
