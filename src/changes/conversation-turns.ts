import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { KeyedQueue, QueueFullError } from '../common/keyed-queue';

/** Changes waiting per conversation before more are refused as UNAVAILABLE. */
export const MAX_QUEUED_CHANGES = 200;

/**
 * Changes of one conversation (edits, deletes, members, title) take turns in this process: they
 * are numbered in turn (no collision on rev between them), FerretDB v1 does not isolate updates
 * (an edit and a delete of one message must not interleave), and events go out in rev order.
 */
@Injectable()
export class ConversationTurns {
  private readonly turns = new KeyedQueue(MAX_QUEUED_CHANGES);

  async exclusive<T>(conversationId: string, task: () => Promise<T>): Promise<T> {
    try {
      return await this.turns.run(conversationId, task);
    } catch (error) {
      if (error instanceof QueueFullError) {
        throw new AppError('UNAVAILABLE', 'The conversation is too busy right now; retry shortly');
      }
      throw error;
    }
  }
}
