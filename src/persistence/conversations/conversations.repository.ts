import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, QueryFilter, trusted, Types } from 'mongoose';
import { Conversation } from './conversation.schema';

/** A conversation's latest message as recorded behind the sends (ActivityRecorder). */
export interface ConversationActivity {
  conversationId: Types.ObjectId;
  seq: number;
  at: Date;
}

/** What a new conversation is given; the rest (createdAt, lastSeq) the database fills in. */
export type NewConversation = Pick<
  Conversation,
  'type' | 'title' | 'creatorId' | 'uniqueKey' | 'lastActivityAt'
> &
  Partial<Pick<Conversation, 'blockedBy'>> & { _id?: Types.ObjectId };

/** The conversations collection: the only class that touches it. */
@Injectable()
export class ConversationsRepository {
  constructor(
    @InjectModel(Conversation.name) private readonly conversations: Model<Conversation>,
  ) {}

  /** Stores a new conversation; a taken uniqueKey is a duplicate key error. */
  async create(conversation: NewConversation): Promise<Conversation> {
    return (await this.conversations.create(conversation)).toObject();
  }

  findById(id: Types.ObjectId): Promise<Conversation | null> {
    return this.conversations.findById(id).lean();
  }

  findByUniqueKey(uniqueKey: string): Promise<Conversation | null> {
    return this.conversations.findOne({ uniqueKey }).lean();
  }

  /** Sets a conversation's title; false when it already had this one. */
  async setTitle(id: Types.ObjectId, title: string): Promise<boolean> {
    const result = await this.conversations.updateOne(
      { _id: id, title: trusted({ $ne: title }) },
      { $set: { title } },
    );
    return result.modifiedCount > 0;
  }

  /**
   * Adds a pin unless it is there or `max` are (the filter decides, so pins set at once from
   * several processes cannot pass the limit): `added`, `present` or `full`.
   */
  async pin(
    id: Types.ObjectId,
    messageId: Types.ObjectId,
    max: number,
  ): Promise<'added' | 'present' | 'full'> {
    const result = await this.conversations.updateOne(
      {
        _id: id,
        pinnedMessageIds: trusted({ $ne: messageId }),
        [`pinnedMessageIds.${max - 1}`]: trusted({ $exists: false }),
      },
      { $push: { pinnedMessageIds: messageId } },
    );
    if (result.modifiedCount > 0) return 'added';
    const found = await this.conversations
      .findOne({ _id: id, pinnedMessageIds: messageId }, { _id: 1 })
      .lean();
    return found ? 'present' : 'full';
  }

  /** Marks (`on`) or unmarks the direct conversation `uniqueKey` as blocked by `userId`; its id, if any. */
  async setBlockedBy(
    uniqueKey: string,
    userId: Types.ObjectId,
    on: boolean,
  ): Promise<Types.ObjectId | null> {
    const update = on ? { $addToSet: { blockedBy: userId } } : { $pull: { blockedBy: userId } };
    // No projection: FerretDB v1's findAndModify does not take one.
    const found = await this.conversations.findOneAndUpdate({ uniqueKey }, update).lean();
    return found?._id ?? null;
  }

  /** Removes a pin; false when it was not pinned. */
  async unpin(id: Types.ObjectId, messageId: Types.ObjectId): Promise<boolean> {
    const result = await this.conversations.updateOne(
      { _id: id, pinnedMessageIds: messageId },
      { $pull: { pinnedMessageIds: messageId } },
    );
    return result.modifiedCount > 0;
  }

  /** The recorded lastSeq (written behind the messages: at most moments behind them). */
  async lastSeq(id: Types.ObjectId): Promise<number> {
    const found = await this.conversations.findById(id, { lastSeq: 1 }).lean();
    return found?.lastSeq ?? 0;
  }

  /** Of `ids`, up to `limit`, latest activity first, only those active before `before` if given. */
  latestActive(ids: Types.ObjectId[], limit: number, before?: Date): Promise<Conversation[]> {
    const filter: QueryFilter<Conversation> = { _id: trusted({ $in: ids }) };
    if (before) filter.lastActivityAt = trusted({ $lt: before });
    return this.conversations
      .find(filter)
      .sort({ lastActivityAt: -1, _id: -1 })
      .limit(limit)
      .lean();
  }

  /**
   * Raises each conversation's lastSeq and lastActivityAt (`$max`, so out-of-order writes from
   * several processes cannot lower them), filtered on `_id` alone, which FerretDB can look up.
   */
  async recordActivity(activity: readonly ConversationActivity[]): Promise<void> {
    await this.conversations.bulkWrite(
      activity.map(({ conversationId, seq, at }) => ({
        updateOne: {
          filter: { _id: conversationId },
          update: { $max: { lastSeq: seq, lastActivityAt: at } },
        },
      })),
      { ordered: false },
    );
  }
}
