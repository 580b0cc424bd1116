import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import type { MessageDto } from '../common/dto/message.dto';
import { messageView } from '../common/dto/message-view';
import { ChangeFeed } from '../conversations/change-feed';
import type { ChangeDto } from '../conversations/dto/change.dto';
import { ConversationsRepository } from '../persistence/conversations/conversations.repository';
import type { Message } from '../persistence/messages/message.schema';
import { MessagesRepository } from '../persistence/messages/messages.repository';
import type { WebhookCursor } from '../persistence/webhook-cursors/webhook-cursor.schema';
import { eventTypeOf, type WebhookEventType } from './webhook-event-types';

/** One event as it is sent, and where the cursor stands once it is answered. */
export interface WebhookEvent {
  /** The `webhook-id`: the event's own, the same on every retry and replay. */
  id: string;
  type: WebhookEventType;
  body: Record<string, unknown>;
  /** The member it is about (member kinds). */
  userId?: string;
  /** When what it tells of happened (ms since the epoch). */
  at: number;
  after: Pick<WebhookCursor, 'seq' | 'rev' | 'created'>;
}

type Position = Pick<WebhookCursor, 'seq' | 'rev' | 'created'>;

/**
 * A conversation's events in order, read from what is stored: its creation, then its messages
 * (by seq) and changes (by rev) merged by time, a change never before the message it changes.
 * Each is read as it is now, so an event for a message deleted since carries it deleted.
 */
@Injectable()
export class WebhookEventSource {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly conversations: ConversationsRepository,
    private readonly feed: ChangeFeed,
  ) {}

  /**
   * The events after `cursor` in order, as many as one read of up to `limit` messages and
   * `limit` changes decides (one query each however many: on FerretDB each is a scan), and how
   * far the read saw the conversation's messages and changes go (the cursor's own where there
   * was none). The list ends where the order is not known from what was read: where a page was
   * full. Nothing is known of the head before the creation event.
   */
  async read(
    conversationId: Types.ObjectId,
    cursor: Position,
    limit: number,
  ): Promise<{ events: WebhookEvent[]; head: { seq?: number; rev?: number } }> {
    if (!cursor.created) {
      const event = await this.created(conversationId, cursor);
      return { events: event ? [event] : [], head: {} };
    }
    const [messages, page] = await Promise.all([
      this.messages.page(conversationId, { $gt: cursor.seq }, limit, 1),
      this.feed.after(conversationId, cursor.rev, limit),
    ]);
    const changes = page.items;
    const head = {
      seq: messages.at(-1)?.seq ?? cursor.seq,
      rev: changes.at(-1)?.rev ?? cursor.rev,
    };
    // A full page may go on past what was read: nothing after its end is decided.
    const moreMessages = messages.length === limit;
    const moreChanges = changes.length === limit;
    const events: WebhookEvent[] = [];
    const id = conversationId.toHexString();
    let at = cursor;
    let m = 0;
    let c = 0;
    for (;;) {
      if ((m === messages.length && moreMessages) || (c === changes.length && moreChanges)) break;
      // Seq and rev are gap-free, but one may not be visible yet: what follows it waits.
      const message = messages[m]?.seq === at.seq + 1 ? messages[m] : undefined;
      const change = changes[c]?.rev === at.rev + 1 ? changes[c] : undefined;
      if (message && (!change || this.messageFirst(message, change))) {
        events.push(this.messageEvent(id, messageView(message), at));
        m += 1;
      } else if (change) {
        events.push(this.changeEvent(id, change, at));
        c += 1;
      } else break;
      at = events.at(-1)!.after;
    }
    return { events, head };
  }

  private changeEvent(conversationId: string, change: ChangeDto, cursor: Position): WebhookEvent {
    const type = eventTypeOf(change.kind);
    return {
      id: `chg_${conversationId}_${change.rev}`,
      type,
      body: { type, conversationId, ...change },
      userId: change.userId,
      at: new Date(change.at).getTime(),
      after: { ...cursor, rev: change.rev },
    };
  }

  /** The `message.created` event of a message in its wire form (read, or as it was just stored). */
  messageEvent(conversationId: string, message: MessageDto, cursor: Position): WebhookEvent {
    return {
      id: `msg_${message.id}`,
      type: 'message.created',
      body: {
        type: 'message.created',
        conversationId,
        seq: message.seq,
        at: message.createdAt,
        actorId: message.senderId,
        message,
      },
      at: message.createdAt.getTime(),
      after: { ...cursor, seq: message.seq },
    };
  }

  /** A change waits for the message it is about; otherwise the earlier goes first. */
  private messageFirst(message: Message, change: ChangeDto): boolean {
    if (change.message && change.message.seq >= message.seq) return true;
    return message.createdAt.getTime() <= new Date(change.at).getTime();
  }

  private async created(
    conversationId: Types.ObjectId,
    cursor: Position,
  ): Promise<WebhookEvent | null> {
    const conversation = await this.conversations.findById(conversationId);
    if (!conversation) return null;
    const state = await this.feed.state(conversationId, cursor.rev);
    return {
      id: `cnv_${conversationId.toHexString()}`,
      type: 'conversation.created',
      body: {
        type: 'conversation.created',
        conversationId: conversationId.toHexString(),
        at: conversation.createdAt,
        actorId: conversation.creatorId.toHexString(),
        conversation: state,
      },
      at: conversation.createdAt.getTime(),
      after: { ...cursor, created: true },
    };
  }
}
