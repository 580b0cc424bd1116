import { Types } from 'mongoose';
import type { DrainService } from '../common/drain.service';
import { AppError } from '../common/errors/app-error';
import type { ConversationsService } from '../conversations/conversations.service';
import type { MembershipsService } from '../conversations/memberships.service';
import type { Conversation } from '../conversations/schemas/conversation.schema';
import { MetricsService } from '../metrics/metrics.service';
import type { SendRateLimiter } from '../rate-limit/send-rate-limiter';
import type { ChatBroadcaster } from '../realtime/chat-broadcaster';
import { MessageSequencer } from './message-sequencer';
import { MessagesService } from './messages.service';
import type { Message } from './schemas/message.schema';

/** A query stub: the value a `findOne(...).sort(...).lean()` chain resolves to. */
const query = <T>(value: T) => {
  const chain = { sort: () => chain, lean: () => Promise.resolve(value) };
  return chain;
};

describe('MessagesService (dedupe and authorization, collaborators stubbed)', () => {
  const alice = { id: new Types.ObjectId().toHexString(), username: 'alice' };
  const bob = new Types.ObjectId();
  const conversation: Conversation = {
    _id: new Types.ObjectId(),
    type: 'direct',
    title: null,
    creatorId: bob,
    uniqueKey: 'k',
    lastSeq: 0,
    lastActivityAt: new Date(),
    createdAt: new Date(),
  };

  let stored: Message[];
  let existing: Message | null;
  let failNextInsertWith: Error | undefined;
  let emitted: { users: readonly string[]; message: { seq: number } }[];
  let service: MessagesService;

  beforeEach(() => {
    stored = [];
    existing = null;
    failNextInsertWith = undefined;
    emitted = [];
    const messages = {
      findOne: (filter: { dedupeKey?: string }) =>
        query(filter.dedupeKey ? existing : (stored[stored.length - 1] ?? null)),
      create: (message: Message) => {
        if (failNextInsertWith) {
          const error = failNextInsertWith;
          failNextInsertWith = undefined;
          return Promise.reject(error);
        }
        stored.push(message);
        return Promise.resolve(message);
      },
    };
    const conversations = {
      noteActivity: () => Promise.resolve(),
    } as unknown as ConversationsService;
    const memberships = {
      requireMember: (id: string, userId: string) =>
        id === conversation._id.toHexString() && userId === alice.id
          ? Promise.resolve(conversation)
          : Promise.reject(new AppError('NOT_FOUND', 'Conversation not found')),
      memberIds: () => Promise.resolve([new Types.ObjectId(alice.id), bob]),
    } as unknown as MembershipsService;
    const broadcaster = {
      toUsers: (users: readonly string[], _event: string, message: { seq: number }) =>
        emitted.push({ users, message }),
    } as unknown as ChatBroadcaster;
    service = new MessagesService(
      messages as never,
      conversations,
      memberships,
      new MessageSequencer(),
      broadcaster,
      { consume: () => Promise.resolve() } as unknown as SendRateLimiter,
      new MetricsService(),
      { track: <T>(work: () => Promise<T>) => work() } as unknown as DrainService,
    );
  });

  const send = (body: string, clientMsgId?: string) =>
    service.send(alice, { conversationId: conversation._id.toHexString(), body, clientMsgId });

  it('stores with the authenticated sender and the other member as receiver, then emits', async () => {
    const { message, duplicate } = await send('hi');
    expect(duplicate).toBe(false);
    expect(message).toMatchObject({ seq: 1, senderId: alice.id, receiverId: bob.toHexString() });
    expect(stored).toHaveLength(1);
    expect(stored[0].dedupeKey).toBe(`m:${stored[0]._id.toHexString()}`);
    expect(emitted).toEqual([
      { users: [alice.id, bob.toHexString()], message: expect.objectContaining({ seq: 1 }) },
    ]);
  });

  it('returns an already stored clientMsgId as a duplicate without storing or emitting', async () => {
    await send('first', 'k1');
    existing = stored[0];
    const again = await send('first', 'k1');
    expect(again.duplicate).toBe(true);
    expect(again.message.id).toBe(stored[0]._id.toHexString());
    expect(stored).toHaveLength(1);
    expect(emitted).toHaveLength(1);
  });

  it('treats a duplicate key on insert as a duplicate when the clientMsgId raced in', async () => {
    const winner = await send('first', 'k2');
    failNextInsertWith = Object.assign(new Error('E11000'), { code: 11000 });
    // The pre-check misses (it ran before the other insert landed) and the insert collides.
    const lookups = jest.fn().mockResolvedValueOnce(null).mockResolvedValue(stored[0]);
    (service as unknown as { findDuplicate: typeof lookups }).findDuplicate = lookups;
    const raced = await send('first', 'k2');
    expect(raced).toMatchObject({ duplicate: true, message: { id: winner.message.id } });
    expect(stored).toHaveLength(1);
    expect(emitted).toHaveLength(1);
  });

  it('takes the next seq when another writer holds this one', async () => {
    await send('one');
    failNextInsertWith = Object.assign(new Error('E11000'), { code: 11000 });
    stored.push({ ...stored[0], seq: 2, _id: new Types.ObjectId() });
    const next = await send('three');
    expect(next.message.seq).toBe(3);
  });

  it('stores and emits nothing when the insert fails', async () => {
    failNextInsertWith = Object.assign(new Error('down'), { name: 'MongoNetworkError' });
    await expect(send('lost')).rejects.toThrow('down');
    expect(stored).toEqual([]);
    expect(emitted).toEqual([]);
  });

  it('refuses a non-member with NOT_FOUND before touching messages', async () => {
    const stranger = { id: new Types.ObjectId().toHexString(), username: 'mallory' };
    await expect(
      service.send(stranger, { conversationId: conversation._id.toHexString(), body: 'hi' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(stored).toEqual([]);
  });

  it('refuses conversationId and to together', async () => {
    await expect(
      service.send(alice, { conversationId: 'x', to: bob.toHexString(), body: 'hi' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
