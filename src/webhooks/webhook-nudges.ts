import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Types } from 'mongoose';
import { MessageChanged, MessagesStored } from '../chat/edits/message-events';
import { ConversationChanged } from '../conversations/conversation-events';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookPositions } from './webhook-positions';

/**
 * The fast path: what this process just stored is known at once (messages as they were stored,
 * how far each conversation's seq and rev now reach) and delivered at once when this process
 * holds the conversation's partition. Only hints: the deliverer finds every event from the
 * database anyway.
 */
@Injectable()
export class WebhookNudges {
  constructor(
    private readonly deliverer: WebhookDeliverer,
    private readonly positions: WebhookPositions,
  ) {}

  @OnEvent(MessagesStored.event)
  stored({ stored }: MessagesStored): void {
    const ids = new Set<string>();
    for (const { message } of stored) {
      this.positions.stored(message);
      ids.add(message.conversationId);
    }
    for (const id of ids) this.deliverer.nudge(new Types.ObjectId(id));
  }

  @OnEvent(MessageChanged.event)
  changed({ message }: MessageChanged): void {
    this.positions.raise(message.conversationId, { rev: message.rev });
    this.deliverer.nudge(new Types.ObjectId(message.conversationId));
  }

  @OnEvent(ConversationChanged.event)
  conversationChanged({ change }: ConversationChanged): void {
    this.positions.raise(change.conversationId, { rev: change.rev });
    this.deliverer.nudge(new Types.ObjectId(change.conversationId));
  }
}
