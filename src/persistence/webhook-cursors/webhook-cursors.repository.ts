import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted, Types } from 'mongoose';
import { isDuplicateKey } from '../../database/is-duplicate-key';
import { WebhookCursor } from './webhook-cursor.schema';

export const cursorKey = (appId: Types.ObjectId, conversationId: Types.ObjectId): string =>
  `${appId.toHexString()}:${conversationId.toHexString()}`;

/** The webhook_cursors collection: the only class that touches it. */
@Injectable()
export class WebhookCursorsRepository {
  constructor(@InjectModel(WebhookCursor.name) private readonly cursors: Model<WebhookCursor>) {}

  find(appId: Types.ObjectId, conversationId: Types.ObjectId): Promise<WebhookCursor | null> {
    return this.cursors.findById(cursorKey(appId, conversationId)).lean();
  }

  /** Stores a new cursor; the one already there wins (it is returned instead). */
  async create(cursor: WebhookCursor): Promise<WebhookCursor> {
    try {
      await this.cursors.create(cursor);
      return cursor;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.cursors.findById(cursor._id).lean();
      if (!existing) throw error;
      return existing;
    }
  }

  async save(
    cursor: Pick<WebhookCursor, '_id'> & Partial<Omit<WebhookCursor, '_id' | 'appId'>>,
  ): Promise<void> {
    const { _id, ...set } = cursor;
    await this.cursors.updateOne({ _id }, { $set: set });
  }

  /** The app's conversations whose cursor is due by `now` (retries, interrupted work). */
  async due(appId: Types.ObjectId, now: Date, limit: number): Promise<Types.ObjectId[]> {
    const found = await this.cursors
      .find({ appId, dueAt: trusted({ $ne: null, $lte: now }) }, { conversationId: 1 })
      .limit(limit)
      .lean();
    return found.map((cursor) => cursor.conversationId);
  }

  /** The app's cursors whose generation is older than `generation` (a replay or a re-enable). */
  async behind(appId: Types.ObjectId, generation: number, limit: number): Promise<WebhookCursor[]> {
    return this.cursors
      .find({ appId, generation: trusted({ $lt: generation }) })
      .limit(limit)
      .lean();
  }

  async deleteOfApp(appId: Types.ObjectId): Promise<void> {
    await this.cursors.deleteMany({ appId });
  }
}
