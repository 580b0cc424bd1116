import type Redis from 'ioredis';
import { mongo } from 'mongoose';
import type { ErrorCode } from '../../../common/errors/app-error';
import type { SendResult } from '../../../realtime/realtime.events';
import type { MessageDraft } from '../message-draft';

/** What the holder of a conversation's lease answered to a forwarded send. */
export type ForwardReply =
  | { kind: 'stored'; result: SendResult }
  | { kind: 'refused'; code: ErrorCode; message: string; retryAfterSeconds?: number }
  /** It no longer holds the lease (released, lost, or shutting down). */
  | { kind: 'not-holder' };

/** Why a forwarded send got no answer. */
export type Unanswered =
  /** Redis could not take it: nothing was sent. */
  | 'unreachable'
  /** Nobody listens on the holder's channel (a killed process): nothing was sent. */
  | 'not-listening'
  /** Sent, but no answer within the time: it may have been stored. */
  | 'timed-out';

export class ForwardUnanswered extends Error {
  constructor(readonly reason: Unanswered) {
    super(`A forwarded send was not answered: ${reason}`);
  }
}

interface Requests {
  t: 'q';
  from: string;
  items: { id: number; draft: MessageDraft }[];
}
interface Replies {
  t: 'a';
  items: { id: number; reply: ForwardReply }[];
}

interface Waiting {
  resolve: (reply: ForwardReply) => void;
  reject: (error: ForwardUnanswered) => void;
  timer: NodeJS.Timeout;
}

const channelOf = (processId: string) => `chat:sends:${processId}`;
/** Forwards waiting for answers before more are refused as unreachable. */
export const MAX_FORWARDS_WAITING = 20_000;
/** Items in one published batch, so one message stays small. */
const MAX_BATCH = 100;

/**
 * Sends forwarded between processes over Redis sharded pub/sub: each process listens on its own
 * channel for requests and for the answers to its own. What one turn of the event loop forwards to
 * one process goes as one message (BSON, so ids and dates arrive as they left).
 */
export class SendForwarding {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly outbox = new Map<string, { id: number; draft: MessageDraft }[]>();
  private readonly answers = new Map<string, { id: number; reply: ForwardReply }[]>();
  private flushScheduled = false;

  constructor(
    /** Fails fast while Redis is away (so a send is written here instead). */
    private readonly publisher: Redis,
    /** Queues while Redis is away and subscribes again when it is back. */
    private readonly subscriber: Redis,
    private readonly processId: string,
    private readonly timeoutMs: number,
    private readonly handle: (draft: MessageDraft) => Promise<ForwardReply>,
  ) {}

  get inFlight(): number {
    return this.waiting.size;
  }

  async start(): Promise<void> {
    const own = channelOf(this.processId);
    this.subscriber.on('smessageBuffer', (channel: Buffer, message: Buffer) => {
      if (channel.toString() === own) this.received(message);
    });
    await this.subscriber.ssubscribe(own);
  }

  async close(): Promise<void> {
    for (const waiting of this.waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(new ForwardUnanswered('unreachable'));
    }
    this.waiting.clear();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  /** Hands the send to `holder`; rejects with ForwardUnanswered when no answer comes. */
  forward(holder: string, draft: MessageDraft): Promise<ForwardReply> {
    if (this.waiting.size >= MAX_FORWARDS_WAITING) {
      return Promise.reject(new ForwardUnanswered('unreachable'));
    }
    const id = this.nextId++;
    return new Promise<ForwardReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new ForwardUnanswered('timed-out'));
      }, this.timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      this.queue(this.outbox, holder, { id, draft });
    });
  }

  private queue<T>(box: Map<string, T[]>, to: string, item: T): void {
    const items = box.get(to);
    if (items) items.push(item);
    else box.set(to, [item]);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    for (const [holder, items] of this.outbox) {
      for (let start = 0; start < items.length; start += MAX_BATCH) {
        const batch = items.slice(start, start + MAX_BATCH);
        const requests: Requests = { t: 'q', from: this.processId, items: batch };
        this.publish(holder, requests).then(
          (listeners) => {
            if (listeners === 0) this.fail(batch, 'not-listening');
          },
          () => this.fail(batch, 'unreachable'),
        );
      }
    }
    this.outbox.clear();
    for (const [requester, items] of this.answers) {
      for (let start = 0; start < items.length; start += MAX_BATCH) {
        const replies: Replies = { t: 'a', items: items.slice(start, start + MAX_BATCH) };
        // An answer lost here times out at the requester, whose client sends again.
        this.publish(requester, replies).catch(() => undefined);
      }
    }
    this.answers.clear();
  }

  /** Resolves with how many listened (SPUBLISH's answer). */
  private async publish(to: string, message: Requests | Replies): Promise<number> {
    const bytes = Buffer.from(mongo.BSON.serialize(message, { ignoreUndefined: true }));
    return Number(await this.publisher.spublish(channelOf(to), bytes));
  }

  private fail(items: { id: number }[], reason: Unanswered): void {
    for (const { id } of items) {
      const waiting = this.waiting.get(id);
      if (!waiting) continue;
      this.waiting.delete(id);
      clearTimeout(waiting.timer);
      waiting.reject(new ForwardUnanswered(reason));
    }
  }

  private received(bytes: Buffer): void {
    let message: Requests | Replies;
    try {
      message = mongo.BSON.deserialize(bytes) as Requests | Replies;
    } catch {
      return; // Not ours: only servers publish here.
    }
    if (message.t === 'a') {
      for (const { id, reply } of message.items) {
        const waiting = this.waiting.get(id);
        if (!waiting) continue; // timed out already
        this.waiting.delete(id);
        clearTimeout(waiting.timer);
        waiting.resolve(reply);
      }
      return;
    }
    for (const { id, draft } of message.items) {
      void this.handle(draft)
        .catch((): ForwardReply => ({
          kind: 'refused',
          code: 'INTERNAL',
          message: 'Something went wrong',
        }))
        .then((reply) => this.queue(this.answers, message.from, { id, reply }));
    }
  }
}
