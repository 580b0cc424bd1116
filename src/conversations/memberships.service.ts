import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted, Types } from 'mongoose';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { isDuplicateKey } from '../database/is-duplicate-key';
import { Conversation } from './schemas/conversation.schema';
import { Membership } from './schemas/membership.schema';

const NOT_FOUND = 'Conversation not found';

/** Who belongs to which conversation: checked on every call, never cached per socket. */
@Injectable()
export class MembershipsService {
  constructor(
    @InjectModel(Conversation.name) private readonly conversations: Model<Conversation>,
    @InjectModel(Membership.name) private readonly memberships: Model<Membership>,
  ) {}

  /**
   * The conversation, if the user is a member. Non-members get the same NOT_FOUND as a missing
   * conversation, so existence is not leaked.
   */
  async requireMember(conversationId: string, userId: string): Promise<Conversation> {
    const conversation = parseId(conversationId, 'Conversation');
    const [member, found] = await Promise.all([
      this.isMember(conversation, parseId(userId, 'User')),
      this.conversations.findById(conversation).lean(),
    ]);
    if (!member || !found) throw new AppError('NOT_FOUND', NOT_FOUND);
    return found;
  }

  async isMember(conversationId: Types.ObjectId, userId: Types.ObjectId): Promise<boolean> {
    return (await this.memberships.exists({ conversationId, userId })) !== null;
  }

  async memberIds(conversationId: Types.ObjectId): Promise<Types.ObjectId[]> {
    const members = await this.memberships
      .find({ conversationId }, { userId: 1 })
      .sort({ joinedAt: 1, _id: 1 })
      .lean();
    return members.map((member) => member.userId);
  }

  /** The members other than `userId`, as strings, ready to address events to. */
  async otherMemberIds(conversationId: Types.ObjectId, userId: Types.ObjectId): Promise<string[]> {
    return (await this.memberIds(conversationId))
      .filter((id) => !id.equals(userId))
      .map((id) => id.toHexString());
  }

  async conversationIdsOf(userId: Types.ObjectId): Promise<Types.ObjectId[]> {
    const memberships = await this.memberships.find({ userId }, { conversationId: 1 }).lean();
    return memberships.map((membership) => membership.conversationId);
  }

  /** Everyone who shares at least one conversation with the user (the user excluded). */
  async contactsOf(userId: string): Promise<string[]> {
    const me = parseId(userId, 'User');
    const conversationIds = await this.conversationIdsOf(me);
    if (conversationIds.length === 0) return [];
    const others = await this.memberships
      .find(
        { conversationId: trusted({ $in: conversationIds }), userId: trusted({ $ne: me }) },
        {
          userId: 1,
        },
      )
      .lean();
    return [...new Set(others.map((membership) => membership.userId.toHexString()))];
  }

  /** Adds members; returns those who were not members before. Safe to repeat and to race. */
  async add(conversationId: Types.ObjectId, userIds: Types.ObjectId[]): Promise<Types.ObjectId[]> {
    const added: Types.ObjectId[] = [];
    const joinedAt = new Date();
    for (const userId of userIds) {
      try {
        await this.memberships.create({ conversationId, userId, joinedAt });
        added.push(userId);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    return added;
  }

  /** Removes a member; false when they were not one. */
  async remove(conversationId: Types.ObjectId, userId: Types.ObjectId): Promise<boolean> {
    const { deletedCount } = await this.memberships.deleteOne({ conversationId, userId });
    return deletedCount > 0;
  }
}
