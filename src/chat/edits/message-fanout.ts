import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ChatBroadcaster } from '../../realtime/chat-broadcaster';
import { MessageChanged, MessagesStored } from './message-events';

/**
 * The one place that turns stored messages and their changes into events for clients. Handlers
 * run synchronously inside the publisher's emit, so events leave in the order they were stored
 * and before the publisher acks.
 */
@Injectable()
export class MessageFanout {
  constructor(private readonly broadcaster: ChatBroadcaster) {}

  @OnEvent(MessagesStored.event)
  stored({ stored }: MessagesStored): void {
    for (const { message, recipients } of stored) {
      this.broadcaster.toUsers(recipients, 'message:new', message);
    }
  }

  @OnEvent(MessageChanged.event)
  changed({ kind, message, recipients }: MessageChanged): void {
    // A reaction changes the message as an edit does: clients hear the message in its new state.
    this.broadcaster.toUsers(recipients, kind === 'reaction' ? 'message:updated' : kind, message);
  }
}
