import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ChatBroadcaster } from '../realtime/chat-broadcaster';
import { ConversationChanged } from './conversation-events';

/**
 * Turns a stored conversation change into events for clients: `conversation:updated` to its
 * members, `conversation:removed` to a member who left or was removed (on all of their sockets),
 * who then hears nothing more of it.
 */
@Injectable()
export class ConversationFanout {
  constructor(private readonly broadcaster: ChatBroadcaster) {}

  @OnEvent(ConversationChanged.event)
  changed({ change, recipients, removedUserId }: ConversationChanged): void {
    this.broadcaster.toUsers(recipients, 'conversation:updated', change);
    if (removedUserId !== null) {
      const { conversationId, rev } = change;
      this.broadcaster.toUsers([removedUserId], 'conversation:removed', { conversationId, rev });
    }
  }
}
