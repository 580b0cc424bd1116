import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, QueryFilter, trusted, Types } from 'mongoose';
import { isDuplicateKey } from '../../database/is-duplicate-key';
import { DatabaseCapabilities } from '../database-capabilities';
import { Message } from './message.schema';
import { highestPerConversation } from '../highest-per-conversation';

/** What an ordered insert did: the first `inserted` documents are stored. */
export interface OrderedInsert {
  inserted: number;
  /** Why the document at index `inserted` was refused, when one was. */
  refused?: { duplicateKey: boolean; error: unknown };
  /**
   * True when the server stored more documents than came before the refused one, so which of
   * the later ones are stored is unknown (FerretDB v1 goes on with its next internal chunk of
   * 100 after a refusal, ordered or not).
   */
  laterUnknown?: boolean;
}

/** Which kind of change an update is ordered against (see Message.textRev). */
export type MessageChangeGuard = 'textRev' | 'reactionsRev';

/** A range of seqs, both ends exclusive and optional. */
export interface SeqRange {
  $gt?: number;
  $lt?: number;
}

interface WriteErrorLike {
  index: number;
  code?: number;
}

/** The first per-document error of a bulk insert (the driver reports one or a list). */
function firstWriteError(error: unknown): WriteErrorLike | undefined {
  if (typeof error !== 'object' || error === null || !('writeErrors' in error)) return undefined;
  const { writeErrors } = error as { writeErrors: WriteErrorLike | WriteErrorLike[] };
  const list = Array.isArray(writeErrors) ? writeErrors : [writeErrors];
  return list.reduce<WriteErrorLike | undefined>(
    (first, next) => (first === undefined || next.index < first.index ? next : first),
    undefined,
  );
}

/**
 * A new message as it is written: the parts most messages leave empty (no reply, mentions,
 * reactions or attachments; rev 0) are left out, as on documents older than those parts, which
 * every reader already takes as empty. Smaller documents cost the database less per insert
 * (FerretDB: ~30% less CPU for an insert of 18).
 */
function storedForm(message: Message): Partial<Message> {
  const { replyTo, mentions, reactions, attachments, rev, ...always } = message;
  return {
    ...always,
    ...(replyTo ? { replyTo } : {}),
    ...(mentions && mentions.length > 0 ? { mentions } : {}),
    ...(reactions && reactions.length > 0 ? { reactions } : {}),
    ...(attachments && attachments.length > 0 ? { attachments } : {}),
    ...(rev ? { rev } : {}),
  };
}

/** The messages collection: the only class that touches it. */
@Injectable()
export class MessagesRepository {
  constructor(
    @InjectModel(Message.name) private readonly messages: Model<Message>,
    private readonly capabilities: DatabaseCapabilities,
  ) {}

  /** The most messages one ordered insert may carry (see DatabaseCapabilities). */
  get maxOrderedInsert(): number {
    return this.capabilities.maxOrderedInsert;
  }

  /** Stores `messages` in order, stopping at the first refused one. Throws when the outcome is unknown. */
  async insertOrdered(messages: Message[]): Promise<OrderedInsert> {
    try {
      // The driver's own insert: the writer built these documents itself, and the driver (unlike
      // Model.insertMany) reports an unreachable database as the network error it is.
      await this.messages.collection.insertMany(messages.map(storedForm), { ordered: true });
      return { inserted: messages.length };
    } catch (error) {
      const first = firstWriteError(error);
      if (!first) throw error;
      const reported = (error as { result?: { insertedCount?: number } }).result?.insertedCount;
      return {
        inserted: first.index,
        refused: { duplicateKey: isDuplicateKey(first), error },
        laterUnknown: reported !== undefined && reported !== first.index,
      };
    }
  }

  findById(id: Types.ObjectId): Promise<Message | null> {
    return this.messages.findById(id).lean();
  }

  /** The stored message with this sender and idempotency key (a scan on FerretDB). */
  findDuplicate(senderId: Types.ObjectId, dedupeKey: string): Promise<Message | null> {
    return this.messages.findOne({ senderId, dedupeKey }).lean();
  }

  /**
   * The conversations with a message stored at or after `since`, each with the highest seq among
   * those (an index range on MongoDB).
   */
  async touchedSince(since: Date): Promise<Map<string, number>> {
    const found = await this.messages
      .find({ createdAt: trusted({ $gte: since }) }, { conversationId: 1, seq: 1, _id: 0 })
      .lean();
    return highestPerConversation(found, (row) => row.seq);
  }

  /** The seq of the conversation's first message stored at or after `since`, if any. */
  async firstSeqSince(conversationId: Types.ObjectId, since: Date): Promise<number | null> {
    const first = await this.messages
      .findOne({ conversationId, createdAt: trusted({ $gte: since }) }, { seq: 1 })
      .sort({ seq: 1 })
      .lean();
    return first?.seq ?? null;
  }

  /** The conversation's newest message, or null when it has none. */
  latest(conversationId: Types.ObjectId): Promise<Message | null> {
    return this.messages.findOne({ conversationId }).sort({ seq: -1 }).lean();
  }

  /** The highest stored seq of a conversation, 0 when it has no messages. */
  async latestSeq(conversationId: Types.ObjectId): Promise<number> {
    const last = await this.messages
      .findOne({ conversationId }, { seq: 1 })
      .sort({ seq: -1 })
      .lean();
    return last?.seq ?? 0;
  }

  /**
   * Up to `limit` messages of a conversation within `seqs` (one range, or any of several), read
   * upwards (`direction` 1) or downwards from the newest (-1), in that order.
   */
  page(
    conversationId: Types.ObjectId,
    seqs: SeqRange | readonly SeqRange[],
    limit: number,
    direction: 1 | -1,
  ): Promise<Message[]> {
    const ranges = (Array.isArray(seqs) ? seqs : [seqs]) as readonly SeqRange[];
    const bounded = (range: SeqRange): boolean =>
      range.$gt !== undefined || range.$lt !== undefined;
    const filter: QueryFilter<Message> = { conversationId };
    if (ranges.length === 1 && bounded(ranges[0])) filter.seq = trusted(ranges[0]);
    else if (ranges.length > 1) filter.$or = ranges.map((range) => ({ seq: trusted(range) }));
    return this.messages.find(filter).sort({ seq: direction }).limit(limit).lean();
  }

  /** Up to `limit` of the sender's messages not deleted, by id, after `afterId` (account deletion). */
  undeletedBy(
    senderId: Types.ObjectId,
    afterId: Types.ObjectId | null,
    limit: number,
  ): Promise<Message[]> {
    return this.messages
      .find({ senderId, deletedAt: null, ...(afterId ? { _id: trusted({ $gt: afterId }) } : {}) })
      .sort({ _id: 1 })
      .limit(limit)
      .lean();
  }

  /** The conversations of the messages that carry the file (who may read it). */
  async conversationsCarrying(fileId: Types.ObjectId): Promise<Types.ObjectId[]> {
    const carriers = await this.messages
      .find({ 'attachments.id': fileId }, { conversationId: 1 })
      .limit(1000)
      .lean();
    const unique = new Map(carriers.map((m) => [m.conversationId.toHexString(), m.conversationId]));
    return [...unique.values()];
  }

  /** Every message the user sent, oldest first, as a cursor (the account export). */
  allBy(senderId: Types.ObjectId): AsyncIterable<Message> {
    return this.messages.find({ senderId }).sort({ _id: 1 }).lean<Message[]>().cursor();
  }

  /** Messages after `afterSeq` that others sent and that are not deleted: `userId`'s unread. */
  countUnread(
    conversationId: Types.ObjectId,
    userId: Types.ObjectId,
    afterSeq: number,
  ): Promise<number> {
    return this.messages.countDocuments({
      conversationId,
      seq: trusted({ $gt: afterSeq }),
      senderId: trusted({ $ne: userId }),
      deletedAt: null,
    });
  }

  /**
   * Applies a change numbered `rev` to a message, unless a change of the same kind (`guard`: edits
   * and deletes, or reactions) with this rev or a later one is already applied; `rev` becomes the
   * highest applied. (`$not $gte` also matches documents stored before messages carried these.)
   */
  /** Another document is about to copy its text (see Message.copied). */
  async markCopied(messageId: Types.ObjectId): Promise<void> {
    await this.messages.updateOne({ _id: messageId }, { $set: { copied: true } });
  }

  /** The message was deleted: the replies quoting it keep no excerpt of it. Safe to repeat. */
  async eraseQuotesOf(messageId: Types.ObjectId): Promise<void> {
    await this.messages.updateMany(
      { 'replyTo.id': messageId },
      { $set: { 'replyTo.excerpt': '' } },
    );
  }

  async applyChange(
    id: Types.ObjectId,
    rev: number,
    fields: Partial<Message>,
    guard: MessageChangeGuard,
  ): Promise<void> {
    await this.messages.updateOne(
      { _id: id, [guard]: trusted({ $not: { $gte: rev } }) },
      { $set: { ...fields, [guard]: rev }, $max: { rev } },
    );
  }

  /** Unread messages after `afterSeq` that mention `userId` (see countUnread). */
  countUnreadMentions(
    conversationId: Types.ObjectId,
    userId: Types.ObjectId,
    afterSeq: number,
  ): Promise<number> {
    return this.messages.countDocuments({
      mentions: userId,
      conversationId,
      seq: trusted({ $gt: afterSeq }),
      senderId: trusted({ $ne: userId }),
      deletedAt: null,
    });
  }
}
