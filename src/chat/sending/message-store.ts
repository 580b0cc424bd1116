import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { ConversationViews } from '../../conversations/conversation-views';
import type { Message } from '../../persistence/messages/message.schema';
import {
  MessagesRepository,
  type OrderedInsert,
} from '../../persistence/messages/messages.repository';

export type { OrderedInsert };

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

/** The writer's port on the messages repository, with the seq hint from the conversations. */
@Injectable()
export class MessageStore implements MessageStorePort {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly conversations: ConversationViews,
  ) {}

  get maxOrderedInsert(): number {
    return this.messages.maxOrderedInsert;
  }

  latestSeq(conversationId: Types.ObjectId): Promise<number> {
    return this.messages.latestSeq(conversationId);
  }

  lastSeqHint(conversationId: Types.ObjectId): Promise<number> {
    return this.conversations.lastSeq(conversationId);
  }

  insertOrdered(messages: Message[]): Promise<OrderedInsert> {
    return this.messages.insertOrdered(messages);
  }

  findDuplicate(senderId: Types.ObjectId, dedupeKey: string): Promise<Message | null> {
    return this.messages.findDuplicate(senderId, dedupeKey);
  }

  findById(id: Types.ObjectId): Promise<Message | null> {
    return this.messages.findById(id);
  }
}
