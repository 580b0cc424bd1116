import Redis from 'ioredis';
import { Types } from 'mongoose';
import type { MessageDraft } from '../src/chat/sending/message-draft';
import {
  type ForwardReply,
  ForwardUnanswered,
  SendForwarding,
} from '../src/chat/sending/writer-routing/send-forwarding';
import { WriterLeases } from '../src/chat/sending/writer-routing/writer-leases';
import { startRedis, type Running } from './support/processes';
import { waitFor } from './support/test-app';

const LEASE_MS = 600;

/**
 * The writer leases and the forwarding of sends, as two server processes would use them, against
 * a real Redis: who holds a conversation, handing sends to the holder and back, and what happens
 * when the holder is gone, quiet, shutting down or silent.
 */
describe('writer routing over Redis', () => {
  let redis: Running;
  const clients: Redis[] = [];
  const closers: (() => Promise<void>)[] = [];

  const client = (options: { fail?: boolean } = {}) => {
    const made = new Redis(redis.url, {
      enableOfflineQueue: !options.fail,
      maxRetriesPerRequest: options.fail ? 1 : null,
      lazyConnect: false,
    });
    made.on('error', () => undefined);
    clients.push(made);
    return made;
  };

  /** One "process": its leases, and its forwarding whose handler answers with `answer`. */
  async function node(answer: (draft: MessageDraft) => Promise<ForwardReply>) {
    const acquired: string[] = [];
    const publisher = client({ fail: true });
    await new Promise((resolve) => publisher.once('ready', resolve));
    const leases = new WriterLeases(publisher, LEASE_MS, (id) => acquired.push(id));
    leases.start();
    const forwarding = new SendForwarding(publisher, client(), leases.processId, LEASE_MS, answer);
    await forwarding.start();
    closers.push(async () => {
      await leases.close();
      await forwarding.close();
    });
    return { leases, forwarding, acquired, publisher };
  }

  const draft = (): MessageDraft => ({
    conversationId: new Types.ObjectId(),
    senderId: new Types.ObjectId(),
    receiverId: null,
    body: 'hello',
    clientMsgId: 'c-1',
    replyTo: { id: new Types.ObjectId(), seq: 4, senderId: new Types.ObjectId(), excerpt: 'hi' },
    mentions: [new Types.ObjectId()],
    attachments: [],
    recipients: ['a', 'b'],
  });

  const stored = (d: MessageDraft): Promise<ForwardReply> =>
    Promise.resolve({
      kind: 'stored',
      result: {
        message: {
          id: 'm1',
          conversationId: d.conversationId.toHexString(),
          seq: 1,
          senderId: d.senderId.toHexString(),
          body: d.body,
          createdAt: new Date('2026-12-07T00:00:00Z'),
        } as never,
        duplicate: false,
      },
    });

  beforeAll(async () => {
    redis = await startRedis();
  }, 60_000);
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });
  afterAll(async () => {
    clients.forEach((made) => made.disconnect());
    await redis?.stop();
  });

  it('gives a conversation to the first process that asks; the others see it as the holder', async () => {
    const [a, b] = [await node(stored), await node(stored)];
    const id = new Types.ObjectId().toHexString();
    expect(await a.leases.holderOf(id)).toBe(a.leases.processId);
    expect(await b.leases.holderOf(id)).toBe(a.leases.processId);
    expect(a.acquired).toEqual([id]);
    expect(b.acquired).toEqual([]);
  });

  it('hands a forwarded send to the holder with its ids and dates intact, and its answer back', async () => {
    const seen: MessageDraft[] = [];
    const a = await node((d) => {
      seen.push(d);
      return stored(d);
    });
    const b = await node(stored);
    const sent = draft();
    const reply = await b.forwarding.forward(a.leases.processId, sent);
    expect(seen).toEqual([sent]);
    expect(seen[0].conversationId).toBeInstanceOf(Types.ObjectId);
    expect(reply).toEqual({
      kind: 'stored',
      result: expect.objectContaining({ duplicate: false }) as unknown,
    });
    if (reply.kind !== 'stored') throw new Error('not stored');
    expect(reply.result.message.createdAt).toEqual(new Date('2026-12-07T00:00:00Z'));
  });

  it('carries many sends forwarded at once, each answered to its own caller', async () => {
    const a = await node((d) =>
      Promise.resolve({ kind: 'refused', code: 'FORBIDDEN', message: d.body }),
    );
    const b = await node(stored);
    const replies = await Promise.all(
      Array.from({ length: 250 }, (_, i) =>
        b.forwarding.forward(a.leases.processId, { ...draft(), body: `m${i}` }),
      ),
    );
    expect(replies.map((reply) => reply.kind === 'refused' && reply.message)).toEqual(
      Array.from({ length: 250 }, (_, i) => `m${i}`),
    );
  });

  it('says nobody listens for a holder that is gone, and lets another take its lease over', async () => {
    const a = await node(stored);
    const b = await node(stored);
    const id = new Types.ObjectId().toHexString();
    await a.leases.holderOf(id);
    await a.forwarding.close(); // its subscription ends, as when the process is killed
    await expect(b.forwarding.forward(a.leases.processId, draft())).rejects.toEqual(
      new ForwardUnanswered('not-listening'),
    );
    expect(await b.leases.takeOver(id, a.leases.processId)).toBe(b.leases.processId);
    expect(b.acquired).toEqual([id]);
    // The lease moved only from the one found gone.
    const c = await node(stored);
    expect(await c.leases.takeOver(id, a.leases.processId)).toBe(b.leases.processId);
  });

  it('times a send out when the holder never answers', async () => {
    const a = await node(() => new Promise<ForwardReply>(() => undefined));
    const b = await node(stored);
    await expect(b.forwarding.forward(a.leases.processId, draft())).rejects.toEqual(
      new ForwardUnanswered('timed-out'),
    );
    expect(b.forwarding.inFlight).toBe(0);
  });

  it('keeps a lease while it is used and lets it go once quiet', async () => {
    const [a, b] = [await node(stored), await node(stored)];
    const busy = new Types.ObjectId().toHexString();
    const quiet = new Types.ObjectId().toHexString();
    await a.leases.holderOf(busy);
    await a.leases.holderOf(quiet);
    const until = Date.now() + LEASE_MS * 3;
    while (Date.now() < until) {
      expect(a.leases.use(busy)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS / 6));
    }
    expect(a.leases.use(quiet)).toBe(false);
    expect(await b.leases.holderOf(quiet)).toBe(b.leases.processId);
    expect(await b.leases.holderOf(busy)).toBe(a.leases.processId);
  });

  it('gives its leases back on close, so another process takes over at once', async () => {
    const [a, b] = [await node(stored), await node(stored)];
    const id = new Types.ObjectId().toHexString();
    await a.leases.holderOf(id);
    await a.leases.close();
    expect(a.leases.use(id)).toBe(false);
    expect(await b.leases.holderOf(id)).toBe(b.leases.processId);
  });

  it('answers "cannot say" and "unreachable" while Redis is away, and works again after', async () => {
    const [a, b] = [await node(stored), await node(stored)];
    const id = new Types.ObjectId().toHexString();
    b.publisher.disconnect();
    await waitFor(() => b.publisher.status !== 'ready', 5_000);
    expect(await b.leases.holderOf(id)).toBeNull();
    await expect(b.forwarding.forward(a.leases.processId, draft())).rejects.toEqual(
      new ForwardUnanswered('unreachable'),
    );
    await b.publisher.connect();
    expect(await b.leases.holderOf(id)).toBe(b.leases.processId);
  });
});
