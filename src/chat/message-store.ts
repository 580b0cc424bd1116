import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { ConversationsService } from '../conversations/conversations.service';
import { isDuplicateKey } from '../database/is-duplicate-key';
import { latestSeq } from './latest-seq';
import { Message } from './schemas/message.schema';

/** What an ordered insert did: the first `inserted` documents are stored, the rest are not. */
export interface OrderedInsert {
  inserted: number;
  /** Why the document at index `inserted` was refused, when one was. */
  refused?: { duplicateKey: boolean; error: unknown };
}

/** The database side of the message writer; a fake one stands in for it in unit tests. */
export interface MessageStorePort {
  /** The highest stored seq, read from the messages. */
  latestSeq(conversationId: Types.ObjectId): Promise<number>;
  /** The conversation's recorded lastSeq: never above the truth, possibly below it. */
  lastSeqHint(conversationId: Types.ObjectId): Promise<number>;
  /** Throws when the outcome is unknown (the database could not be reached, say). */
  insertOrdered(messages: Message[]): Promise<OrderedInsert>;
  findDuplicate(senderId: Types.ObjectId, dedupeKey: string): Promise<Message | null>;
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

@Injectable()
export class MessageStore implements MessageStorePort {
  constructor(
    @InjectModel(Message.name) private readonly messages: Model<Message>,
    private readonly conversations: ConversationsService,
  ) {}

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
      return { inserted: first.index, refused: { duplicateKey: isDuplicateKey(first), error } };
    }
  }

  findDuplicate(senderId: Types.ObjectId, dedupeKey: string): Promise<Message | null> {
    return this.messages.findOne({ senderId, dedupeKey }).lean();
  }
}
