import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { KeyedQueue, QueueFullError } from '../common/keyed-queue';

/** What an attempt returns when another writer already stored its seq (a duplicate key). */
export const SEQ_TAKEN = Symbol('seq taken');

const MAX_ATTEMPTS = 50;
const MAX_CACHED_CONVERSATIONS = 10_000;
/** Sends, edits and deletes waiting per conversation before more are refused as UNAVAILABLE. */
export const MAX_QUEUED_PER_CONVERSATION = 200;

/**
 * Hands out per-conversation seqs. The unique index on (conversationId, seq) is the arbiter, not
 * an atomic counter (FerretDB v1 updates are not isolated): an attempt that hits a taken seq
 * rereads the highest stored seq and tries the next. Within this process appends to one
 * conversation run one at a time, so the cached next seq is right unless another process wrote.
 */
@Injectable()
export class MessageSequencer {
  private readonly nextSeq = new Map<string, number>();
  private readonly turns = new KeyedQueue(MAX_QUEUED_PER_CONVERSATION);

  append<T>(
    conversationId: string,
    readMaxSeq: () => Promise<number>,
    attempt: (seq: number) => Promise<T | typeof SEQ_TAKEN>,
  ): Promise<T> {
    return this.exclusive(conversationId, () =>
      this.appendNow(conversationId, readMaxSeq, attempt),
    );
  }

  /**
   * Runs `task` after every earlier task of the conversation has settled: sends, edits and
   * deletes of one conversation take turns in this process, so its events go out in order.
   */
  async exclusive<T>(conversationId: string, task: () => Promise<T>): Promise<T> {
    try {
      return await this.turns.run(conversationId, task);
    } catch (error) {
      // Past the bound, refusing at once beats acking seconds later (clients retry, same clientMsgId).
      if (error instanceof QueueFullError) {
        throw new AppError('UNAVAILABLE', 'The conversation is too busy right now; retry shortly');
      }
      throw error;
    }
  }

  private async appendNow<T>(
    conversationId: string,
    readMaxSeq: () => Promise<number>,
    attempt: (seq: number) => Promise<T | typeof SEQ_TAKEN>,
  ): Promise<T> {
    for (let tries = 0; tries < MAX_ATTEMPTS; tries += 1) {
      const seq = this.nextSeq.get(conversationId) ?? (await readMaxSeq()) + 1;
      // Forget the cache first: if the attempt fails we cannot know what was stored.
      this.nextSeq.delete(conversationId);
      const outcome = await attempt(seq);
      if (outcome !== SEQ_TAKEN) {
        this.remember(conversationId, seq + 1);
        return outcome;
      }
      // Another process is writing this conversation too: a random pause breaks the lockstep
      // in which each keeps taking the seq the other just read.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.random() * 5 * Math.min(tries + 1, 5)),
      );
    }
    throw new AppError('UNAVAILABLE', 'The conversation is too busy right now; try again');
  }

  private remember(conversationId: string, next: number): void {
    if (this.nextSeq.size >= MAX_CACHED_CONVERSATIONS) {
      const oldest = this.nextSeq.keys().next();
      if (!oldest.done) this.nextSeq.delete(oldest.value);
    }
    this.nextSeq.set(conversationId, next);
  }
}
