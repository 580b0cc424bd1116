import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { MessagesStored } from '../../../../src/chat/edits/message-events';

interface Counts {
  messages: number;
  bySender: Map<string, number>;
}

/**
 * Counts the messages each conversation received since this process started, from the typed
 * in-process event the writer publishes once they are stored. In memory and per process: a
 * restart starts from zero, and with several processes each counts only what it stored. That is
 * right for a live gauge; anything that must survive a crash reads the change feed or history.
 */
@Injectable()
export class MessageStatsService {
  private readonly counts = new Map<string, Counts>();

  // Runs inside the writer's emit, in store order: keep it cheap and never throw.
  @OnEvent(MessagesStored.event)
  stored({ stored }: MessagesStored): void {
    for (const { message } of stored) {
      const counts = this.counts.get(message.conversationId) ?? {
        messages: 0,
        bySender: new Map<string, number>(),
      };
      counts.messages += 1;
      counts.bySender.set(message.senderId, (counts.bySender.get(message.senderId) ?? 0) + 1);
      this.counts.set(message.conversationId, counts);
    }
  }

  of(conversationId: string): { messages: number; bySender: Record<string, number> } {
    const counts = this.counts.get(conversationId);
    return {
      messages: counts?.messages ?? 0,
      bySender: Object.fromEntries(counts?.bySender ?? []),
    };
  }
}
