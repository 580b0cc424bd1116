import { ChatClient, newClientMsgId, type Message } from '../../../client/src';

export interface Sender {
  client: ChatClient;
  userId: string;
  conversationIds: string[];
}

export interface SendRecord {
  clientMsgId: string;
  conversationId: string;
  senderId: string;
  issuedAt: number;
  ackedAt?: number;
  /** When it was acked or refused for good. */
  answeredAt?: number;
  message?: Message;
  /** A refusal send() did not retry (anything but "try later"). */
  error?: string;
}

/** Traffic and changes still running: stopped after the test file, even when a test failed. */
const running = new Set<{ stop(): void }>();
afterAll(() => {
  for (const load of running) load.stop();
});

/**
 * Steady traffic: every sender sends one message every `intervalMs` to one of its conversations,
 * through ChatClient.send (one clientMsgId per message, retried until acked), without waiting for
 * earlier sends: what a person typing on a bad connection does.
 */
export class Traffic {
  readonly sends: SendRecord[] = [];
  private readonly pending = new Set<Promise<void>>();
  private timers: ReturnType<typeof setInterval>[] = [];
  /** When `stop()` was called (ms since the epoch). */
  stoppedAt?: number;

  start(senders: readonly Sender[], intervalMs: number): void {
    running.add(this);
    for (const sender of senders) {
      let turn = 0;
      const tick = (): void => {
        const conversationId = sender.conversationIds[turn++ % sender.conversationIds.length];
        this.send(sender, conversationId);
      };
      // Spread the senders over the interval so the load is steady, not bursts.
      const offset = Math.random() * intervalMs;
      const starter = setTimeout(() => {
        tick();
        this.timers.push(setInterval(tick, intervalMs));
      }, offset);
      this.timers.push(starter);
    }
  }

  stop(): void {
    running.delete(this);
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.stoppedAt = Date.now();
  }

  /**
   * From traffic stopping to the last send's answer (ack or refusal), in ms; 0 if all were
   * answered before it stopped; Infinity while some are unanswered.
   */
  get lastAnswerAfterStopMs(): number {
    if (this.stoppedAt === undefined) return Number.POSITIVE_INFINITY;
    let last = this.stoppedAt;
    for (const send of this.sends) {
      if (send.answeredAt === undefined) return Number.POSITIVE_INFINITY;
      last = Math.max(last, send.answeredAt);
    }
    return last - this.stoppedAt;
  }

  /** Waits until every send is acked or refused; false if some are still retrying at `timeoutMs`. */
  async settled(timeoutMs: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const all = Promise.all([...this.pending]).then(() => true as const);
    return Promise.race([all, deadline]).finally(() => clearTimeout(timer));
  }

  get acked(): SendRecord[] {
    return this.sends.filter((send) => send.message);
  }

  private send(sender: Sender, conversationId: string): void {
    const record: SendRecord = {
      clientMsgId: newClientMsgId(),
      conversationId,
      senderId: sender.userId,
      issuedAt: Date.now(),
    };
    this.sends.push(record);
    const body = `#${this.sends.length} from ${sender.userId.slice(-6)}`;
    const sending = sender.client
      .send(conversationId, body, { clientMsgId: record.clientMsgId })
      .then(
        (message) => {
          record.ackedAt = Date.now();
          record.message = message;
        },
        (error: unknown) => {
          record.error = error instanceof Error ? error.message : String(error);
        },
      )
      .finally(() => {
        record.answeredAt = Date.now();
        this.pending.delete(sending);
      });
    this.pending.add(sending);
  }
}

const REACTIONS = ['👍', '🎉', ':ok:'];

/**
 * Edits, deletes and reactions at random beside the traffic: every `intervalMs`, a random acked
 * message is edited by its sender (45%), deleted by its sender (20%), or has a reaction set or
 * unset by a random member (35%), through their ChatClients. A refusal (changing what another
 * change deleted) is counted, not an error.
 */
export class RandomChanges {
  made = 0;
  refused = 0;
  private readonly pending = new Set<Promise<void>>();
  private timer?: ReturnType<typeof setInterval>;

  start(traffic: Traffic, senders: readonly Sender[], intervalMs: number): void {
    const clientOf = new Map(senders.map((sender) => [sender.userId, sender.client]));
    const pick = <T>(list: readonly T[]): T | undefined =>
      list[Math.floor(Math.random() * list.length)];
    const timer = setInterval(() => {
      const send = pick(traffic.acked);
      const client = send && clientOf.get(send.senderId);
      if (!send?.message || !client) return;
      const { id, seq, conversationId } = send.message;
      this.made += 1;
      const roll = Math.random();
      // A reaction comes from any member (its sender included), set or unset at random.
      const reactor = pick(senders.filter((s) => s.conversationIds.includes(conversationId)));
      const change =
        roll < 0.2
          ? client.delete(id)
          : roll < 0.55 && reactor
            ? reactor.client.react(id, pick(REACTIONS) ?? '👍', Math.random() < 0.7)
            : client.edit(id, `edit ${this.made} of #${seq}`);
      const settled = change
        .then(
          () => undefined,
          () => {
            this.refused += 1;
          },
        )
        .finally(() => this.pending.delete(settled));
      this.pending.add(settled);
    }, intervalMs);
    this.timer = timer;
    running.add({ stop: () => clearInterval(timer) });
  }

  /** Stops making changes and waits for those under way (false if some still run at `timeoutMs`). */
  async stop(timeoutMs: number): Promise<boolean> {
    clearInterval(this.timer);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const all = Promise.all([...this.pending]).then(() => true as const);
    return Promise.race([all, deadline]).finally(() => clearTimeout(timer));
  }
}
