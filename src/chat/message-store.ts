import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { ConversationsService } from '../conversations/conversations.service';
import { isDuplicateKey } from '../database/is-duplicate-key';
import { latestSeq } from './latest-seq';
import { Message } from './schemas/message.schema';

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

/** The database side of the message writer; a fake one stands in for it in unit tests. */
export interface MessageStorePort {
  /** The most documents one ordered insert may carry and still stop cleanly at a refusal. */
  readonly maxOrderedInsert: number;
  /** The highest stored seq, read from the messages. */
  latestSeq(conversationId: Types.ObjectId): Promise<number>;
  /** The conversation's recorded lastSeq: never above the truth, possibly below it. */
  lastSeqHint(conversationId: Types.ObjectId): Promise<number>;
  /** Throws when the outcome is unknown (the database could not be reached, say). */
  insertOrdered(messages: Message[]): Promise<OrderedInsert>;
  /** The stored message with this sender and idempotency key (a scan on FerretDB). */
  findDuplicate(senderId: Types.ObjectId, dedupeKey: string): Promise<Message | null>;
  findById(id: Types.ObjectId): Promise<Message | null>;
}

/** FerretDB v1 inserts in chunks of this many documents (its --test-batch-size default). */
const FERRETDB_INSERT_CHUNK = 100;

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

@Injectable()
export class MessageStore implements MessageStorePort, OnApplicationBootstrap {
  /** Until the server is known, the limit that is safe on both. */
  maxOrderedInsert = FERRETDB_INSERT_CHUNK;

  constructor(
    @InjectModel(Message.name) private readonly messages: Model<Message>,
    private readonly conversations: ConversationsService,
  ) {}

  /** Feature detection: MongoDB stops an ordered insert at a refusal whatever its size. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      const info = await this.messages.db.db?.admin().command({ buildInfo: 1 });
      if (info && !('ferretdbVersion' in info)) this.maxOrderedInsert = Number.POSITIVE_INFINITY;
    } catch {
      // Unknown server: keep the limit that is safe on both.
    }
  }

  latestSeq(conversationId: Types.ObjectId): Promise<number> {
    return latestSeq(this.messages, conversationId);
  }

  lastSeqHint(conversationId: Types.ObjectId): Promise<number> {
    return this.conversations.lastSeq(conversationId);
  }

  async insertOrdered(messages: Message[]): Promise<OrderedInsert> {
    try {
      // The driver's own insert: the writer built these documents itself, and the driver (unlike
      // Model.insertMany) reports an unreachable database as the network error it is.
      await this.messages.collection.insertMany(messages, { ordered: true });
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

  findDuplicate(senderId: Types.ObjectId, dedupeKey: string): Promise<Message | null> {
    return this.messages.findOne({ senderId, dedupeKey }).lean();
  }

  findById(id: Types.ObjectId): Promise<Message | null> {
    return this.messages.findById(id).lean();
  }
}
