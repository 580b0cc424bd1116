import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Types } from 'mongoose';
import { MessageChanged, MessagesStored } from '../chat/edits/message-events';
import { ConversationChanged } from '../conversations/conversation-events';
import { WebhookDeliverer } from './webhook-deliverer';

/**
 * The fast path: what this process just stored is delivered at once (when it holds the
 * conversation's partition). Only a hint: the deliverer finds every event from the database anyway.
 */
@Injectable()
export class WebhookNudges {
  constructor(private readonly deliverer: WebhookDeliverer) {}

  @OnEvent(MessagesStored.event)
  stored({ stored }: MessagesStored): void {
    const ids = new Set(stored.map(({ message }) => message.conversationId));
    for (const id of ids) this.deliverer.nudge(new Types.ObjectId(id));
  }

  @OnEvent(MessageChanged.event)
  changed({ message }: MessageChanged): void {
    this.deliverer.nudge(new Types.ObjectId(message.conversationId));
  }

  @OnEvent(ConversationChanged.event)
  conversationChanged({ change }: ConversationChanged): void {
    this.deliverer.nudge(new Types.ObjectId(change.conversationId));
  }
}
