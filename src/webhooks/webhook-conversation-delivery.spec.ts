import type { ConfigService } from '@nestjs/config';
import { Types } from 'mongoose';
import type { App } from '../persistence/apps/app.schema';
import type { AppsRepository } from '../persistence/apps/apps.repository';
import type { WebhookCursor } from '../persistence/webhook-cursors/webhook-cursor.schema';
import type { WebhookCursorsRepository } from '../persistence/webhook-cursors/webhook-cursors.repository';
import type { WebhookAttemptLog } from './webhook-attempt-log';
import type { WebhookAudience } from './webhook-audience';
import { WebhookConversationDelivery } from './webhook-conversation-delivery';
import type { WebhookCursorStarts } from './webhook-cursor-starts';
import type { WebhookEvent, WebhookEventSource } from './webhook-event-source';
import type { WebhookPartitions } from './webhook-partitions';
import { WebhookPositions } from './webhook-positions';
import type { WebhookSecrets } from './webhook-secrets';
import type { SendOutcome, WebhookSender } from './webhook-sender';
import type { WebhooksSettings } from './webhooks.settings';

const EVENTS = 6;
const RETRY_MS = [60_000, 120_000];

/** One conversation of EVENTS messages, a stored cursor, a receiver whose answers the test sets. */
function setUp(options: { leaseLeftMs?: number; answerMs?: number } = {}) {
  let now = 1_000_000_000;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  const appId = new Types.ObjectId();
  const conversationId = new Types.ObjectId();
  const app = {
    _id: appId,
    webhook: { url: 'https://hooks.example/in', secret: 'sealed', status: 'active', generation: 0 },
  } as unknown as App;
  let stored: WebhookCursor | null = null;
  let saves = 0;
  let savesAllowed = Infinity;
  const cursors = {
    find: () => Promise.resolve(stored && { ...stored }),
    save: (set: Partial<WebhookCursor>) => {
      saves += 1;
      if (saves > savesAllowed) return Promise.reject(new Error('database away'));
      stored = { ...stored!, ...set };
      return Promise.resolve();
    },
  };
  const start: WebhookCursor = {
    _id: `${appId.toHexString()}:${conversationId.toHexString()}`,
    appId,
    conversationId,
    seq: 0,
    rev: 0,
    created: true,
    attempts: 0,
    dueAt: null,
    generation: 0,
  };
  const event = (seq: number): WebhookEvent => ({
    id: `msg_${seq}`,
    type: 'message.created',
    body: { seq },
    at: now,
    after: { seq, rev: 0, created: true },
  });
  let reads = 0;
  const source = {
    read: (_id: Types.ObjectId, cursor: WebhookCursor, limit: number) => {
      reads += 1;
      const events = [];
      for (let seq = cursor.seq + 1; seq <= Math.min(EVENTS, cursor.seq + limit); seq++) {
        events.push(event(seq));
      }
      return Promise.resolve({ events, head: { seq: EVENTS, rev: 0 } });
    },
  };
  /** What the receiver answers next (200 once the list is used up), and what it was sent. */
  const answers: number[] = [];
  const received: string[] = [];
  const sender = {
    send: (_url: string, _secret: string, eventId: string): Promise<SendOutcome> => {
      received.push(eventId);
      now += options.answerMs ?? 0;
      const status = answers.shift() ?? 200;
      return Promise.resolve({ status, latencyMs: 1, error: status < 300 ? null : `${status}` });
    },
  };
  const updateWebhook = jest.fn(() => Promise.resolve());
  const delivery = new WebhookConversationDelivery(
    { updateWebhook } as unknown as AppsRepository,
    cursors as unknown as WebhookCursorsRepository,
    { add: () => undefined } as unknown as WebhookAttemptLog,
    { takes: () => Promise.resolve(true) } as unknown as WebhookAudience,
    { first: () => Promise.resolve({ ...start }) } as unknown as WebhookCursorStarts,
    {
      heldUntil: () => Date.now() + (options.leaseLeftMs ?? 15_000),
    } as unknown as WebhookPartitions,
    new WebhookPositions(),
    source as unknown as WebhookEventSource,
    sender as unknown as WebhookSender,
    { open: () => 'whsec_test' } as unknown as WebhookSecrets,
    {
      get: () => RETRY_MS.map((ms) => `${ms / 1000}s`),
    } as unknown as ConfigService<WebhooksSettings, true>,
  );
  return {
    app,
    answers,
    received,
    updateWebhook,
    cursor: () => stored,
    reads: () => reads,
    failSavesAfter: (n: number) => {
      saves = 0;
      savesAllowed = n;
    },
    advance: (ms: number) => (now += ms),
    run: () => delivery.run(app, conversationId, () => false),
  };
}

const inOrder = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `msg_${from + i}`);

describe('WebhookConversationDelivery', () => {
  afterEach(() => jest.restoreAllMocks());

  it('sends every due event once, in order, and leaves the cursor at the head, not due', async () => {
    const t = setUp();
    await t.run();
    expect(t.received).toEqual(inOrder(1, EVENTS));
    expect(t.cursor()).toMatchObject({ seq: EVENTS, attempts: 0, dueAt: null });
    // A backlog is read a page at a time, not once per event; at the head nothing is read.
    expect(t.reads()).toBe(1);
    await t.run();
    expect(t.received).toHaveLength(EVENTS);
    expect(t.reads()).toBe(1);
  });

  it('stops at a failure, retries the same event on the schedule and not sooner, then goes on in order', async () => {
    const t = setUp();
    t.answers.push(200, 200, 500);
    await t.run();
    expect(t.received).toEqual(inOrder(1, 3));
    expect(t.cursor()).toMatchObject({ seq: 2, attempts: 1 });
    expect(t.cursor()!.dueAt!.getTime()).toBe(Date.now() + RETRY_MS[0]);

    // Something new in the conversation does not bring the retry forward.
    t.advance(RETRY_MS[0] - 1);
    await t.run();
    expect(t.received).toHaveLength(3);

    t.advance(1);
    await t.run();
    expect(t.received).toEqual([...inOrder(1, 3), ...inOrder(3, EVENTS)]);
    expect(t.cursor()).toMatchObject({ seq: EVENTS, attempts: 0, dueAt: null });
  });

  it('disables the endpoint after the last retry and keeps the cursor where it stopped', async () => {
    const t = setUp();
    t.answers.push(503, 503, 503);
    await t.run();
    t.advance(RETRY_MS[0]);
    await t.run();
    t.advance(RETRY_MS[1]);
    await t.run();
    expect(t.received).toEqual(['msg_1', 'msg_1', 'msg_1']);
    expect(t.updateWebhook).toHaveBeenCalledWith(
      t.app._id,
      expect.objectContaining({ status: 'disabled' }),
      false,
    );
    expect(t.cursor()).toMatchObject({ seq: 0, attempts: 3, dueAt: null });
    expect(t.app.webhook!.status).toBe('disabled');
  });

  it('starts no attempt that could outlast its lease, and marks the work due for the next holder', async () => {
    const t = setUp({ leaseLeftMs: 5_000 });
    await t.run();
    expect(t.received).toEqual([]);
    expect(t.cursor()).toMatchObject({ seq: 0 });
    expect(t.cursor()!.dueAt!.getTime()).toBe(Date.now());
  });

  it('after a crash mid-way, the next run resends from the last saved position: nothing skipped', async () => {
    // Each answer takes 100 ms, so the run saves behind its sends after the third; then the
    // database goes away and the save after the sixth fails.
    const t = setUp({ answerMs: 100 });
    t.failSavesAfter(1);
    await expect(t.run()).rejects.toThrow('database away');
    expect(t.received).toEqual(inOrder(1, EVENTS));
    expect(t.cursor()).toMatchObject({ seq: 3 });

    t.failSavesAfter(Infinity);
    await t.run();
    expect(t.received).toEqual([...inOrder(1, EVENTS), ...inOrder(4, EVENTS)]);
    expect(t.cursor()).toMatchObject({ seq: EVENTS, dueAt: null });
  });
});
