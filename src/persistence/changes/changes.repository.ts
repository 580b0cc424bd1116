import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted, Types } from 'mongoose';
import { Change } from './change.schema';
import { highestPerConversation } from '../highest-per-conversation';

/** The changes collection (the per-conversation change feed): the only class that touches it. */
@Injectable()
export class ChangesRepository {
  constructor(@InjectModel(Change.name) private readonly changes: Model<Change>) {}

  /** Stores a change; a taken (conversationId, rev) is a duplicate key error. */
  async insert(change: Change): Promise<void> {
    await this.changes.collection.insertOne(change);
  }

  /**
   * The conversations with a change stored at or after `since`, each with the highest rev among
   * those (an index range on MongoDB).
   */
  async touchedSince(since: Date): Promise<Map<string, number>> {
    const found = await this.changes
      .find({ at: trusted({ $gte: since }) }, { conversationId: 1, rev: 1, _id: 0 })
      .lean();
    return highestPerConversation(found, (row) => row.rev);
  }

  /** The rev of the conversation's first change at or after `since`, if any. */
  async firstRevSince(conversationId: Types.ObjectId, since: Date): Promise<number | null> {
    const first = await this.changes
      .findOne({ conversationId, at: trusted({ $gte: since }) }, { rev: 1 })
      .sort({ rev: 1 })
      .lean();
    return first?.rev ?? null;
  }

  /** The highest stored rev of a conversation, 0 when it has had no change. */
  async latestRev(conversationId: Types.ObjectId): Promise<number> {
    const last = await this.changes
      .findOne({ conversationId }, { rev: 1 })
      .sort({ rev: -1 })
      .lean();
    return last?.rev ?? 0;
  }

  /** Up to `limit` changes after `afterRev`, ascending. */
  after(conversationId: Types.ObjectId, afterRev: number, limit: number): Promise<Change[]> {
    return this.changes
      .find({ conversationId, rev: trusted({ $gt: afterRev }) })
      .sort({ rev: 1 })
      .limit(limit)
      .lean();
  }

  /**
   * The message was deleted: every change's copy of it loses its text, mentions and attachments,
   * and (when it was `quoted`) every copy of a reply loses its quote of it. Safe to repeat.
   */
  async eraseTextOf(messageId: Types.ObjectId, deletedAt: Date, quoted: boolean): Promise<void> {
    await this.changes.updateMany(
      { messageId },
      {
        $set: {
          'message.body': '',
          'message.mentions': [],
          'message.attachments': [],
          'message.deletedAt': deletedAt,
        },
      },
    );
    if (!quoted) return;
    await this.changes.updateMany(
      { 'message.replyTo.id': messageId },
      { $set: { 'message.replyTo.excerpt': '' } },
    );
  }
}
