import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted, Types } from 'mongoose';
import { isDuplicateKey } from '../../database/is-duplicate-key';
import type { MemberRole } from '@nest-chat/protocol';
import { Membership } from './membership.schema';

export type MemberRecord = Pick<Membership, 'userId' | 'joinedAt' | 'role'>;

/** The memberships collection (one document per member): the only class that touches it. */
@Injectable()
export class MembershipsRepository {
  constructor(@InjectModel(Membership.name) private readonly memberships: Model<Membership>) {}

  /** Adds a member; false when they were one already (the unique index decides, races too). */
  async add(
    conversationId: Types.ObjectId,
    userId: Types.ObjectId,
    joinedAt: Date,
  ): Promise<boolean> {
    try {
      await this.memberships.create({ conversationId, userId, joinedAt });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** Removes a member; false when they were not one. */
  async remove(conversationId: Types.ObjectId, userId: Types.ObjectId): Promise<boolean> {
    const { deletedCount } = await this.memberships.deleteOne({ conversationId, userId });
    return deletedCount > 0;
  }

  /** The members of a conversation with their roles, in the order they joined. */
  members(conversationId: Types.ObjectId): Promise<MemberRecord[]> {
    return this.memberships
      .find({ conversationId }, { _id: 0, userId: 1, joinedAt: 1, role: 1 })
      .sort({ joinedAt: 1, _id: 1 })
      .lean();
  }

  /** Gives a member a role; false when they are not a member. */
  async setRole(
    conversationId: Types.ObjectId,
    userId: Types.ObjectId,
    role: MemberRole,
  ): Promise<boolean> {
    const { matchedCount } = await this.memberships.updateOne(
      { conversationId, userId },
      { $set: { role } },
    );
    return matchedCount > 0;
  }

  async conversationIdsOf(userId: Types.ObjectId): Promise<Types.ObjectId[]> {
    const memberships = await this.memberships.find({ userId }, { conversationId: 1 }).lean();
    return memberships.map((membership) => membership.conversationId);
  }

  /** The members of any of `conversationIds` other than `userId` (with repeats). */
  async othersIn(
    conversationIds: Types.ObjectId[],
    userId: Types.ObjectId,
  ): Promise<Types.ObjectId[]> {
    const others = await this.memberships
      .find(
        { conversationId: trusted({ $in: conversationIds }), userId: trusted({ $ne: userId }) },
        { userId: 1 },
      )
      .lean();
    return others.map((membership) => membership.userId);
  }
}
