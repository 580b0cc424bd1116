import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { isDuplicateKey } from '../../database/is-duplicate-key';
import type { StoredReactionSummary } from '../messages/message.schema';
import { Reaction } from './reaction.schema';

/** Who a message's summary names per emoji; the count covers everyone. */
export const SUMMARY_USER_IDS = 10;

/** The reactions collection: the only class that touches it. */
@Injectable()
export class ReactionsRepository {
  constructor(@InjectModel(Reaction.name) private readonly reactions: Model<Reaction>) {}

  /** Stores the reaction; false when this user already set this emoji on this message. */
  async add(reaction: Omit<Reaction, '_id'>): Promise<boolean> {
    try {
      await this.reactions.collection.insertOne({ _id: new Types.ObjectId(), ...reaction });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** False when there was no such reaction. */
  async remove(messageId: Types.ObjectId, userId: Types.ObjectId, emoji: string): Promise<boolean> {
    const { deletedCount } = await this.reactions.deleteOne({ messageId, userId, emoji });
    return deletedCount > 0;
  }

  /**
   * Every emoji on the message, in the order first set, with its count and first users. Counted
   * here rather than by `$group`, which FerretDB v1 cannot `$push` in: one read of the message's
   * records either way (an index range on MongoDB).
   */
  async summarize(messageId: Types.ObjectId): Promise<StoredReactionSummary[]> {
    const records = await this.reactions
      .find({ messageId }, { emoji: 1, userId: 1, _id: 0 })
      .sort({ at: 1, _id: 1 })
      .lean();
    const byEmoji = new Map<string, StoredReactionSummary>();
    for (const { emoji, userId } of records) {
      let summary = byEmoji.get(emoji);
      if (!summary) byEmoji.set(emoji, (summary = { emoji, count: 0, userIds: [] }));
      summary.count += 1;
      if (summary.userIds.length < SUMMARY_USER_IDS) summary.userIds.push(userId);
    }
    return [...byEmoji.values()];
  }
}
