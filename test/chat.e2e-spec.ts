import {
  ack,
  bearer,
  collect,
  directConversation as direct,
  getHistory,
  registerUser,
  sendOk as send,
  settle,
  useTestApp,
  waitFor,
  type TestApp,
  type TestUser,
} from './support/test-app';
import type { PageAck, SendAck, WireMessage as Message } from './support/wire';

describe('chat: direct conversations and message:send (socket.io /chat and REST)', () => {
  const suite = useTestApp();
  const connect = (user: TestUser) => suite.connect(user);
  let t: TestApp;
  beforeAll(() => {
    t = suite.app;
  });

  const directConversation = (a: TestUser, b: TestUser) => direct(t, a, b);
  const history = (user: TestUser, id: string, query = '') => getHistory(t, user, id, query);

  describe('direct conversations', () => {
    it('gives the same pair the same conversation, from either side', async () => {
      const [a, b] = [await registerUser(t), await registerUser(t)];
      const first = await t
        .http()
        .post('/api/conversations/direct')
        .set(bearer(a))
        .send({ userId: b.id })
        .expect(200);
      expect(first.body).toEqual({
        id: expect.any(String),
        type: 'direct',
        title: null,
        memberIds: expect.arrayContaining([a.id, b.id]),
        members: expect.arrayContaining([
          { userId: a.id, role: 'member', joinedAt: expect.any(String) },
          { userId: b.id, role: 'member', joinedAt: expect.any(String) },
        ]),
        createdAt: expect.any(String),
        lastActivityAt: expect.any(String),
        lastSeq: 0,
        lastMessage: null,
        lastReadSeq: 0,
        unreadCount: 0,
        lastRev: 0,
        reads: expect.any(Array),
        mentionCount: 0,
        pinnedMessageIds: [],
      });
      const races = await Promise.all([
        directConversation(b, a),
        directConversation(a, b),
        directConversation(b, a),
      ]);
      expect(new Set(races)).toEqual(new Set([first.body.id]));
    });

    it('refuses a direct conversation with oneself (400) or with nobody (404)', async () => {
      const a = await registerUser(t);
      const self = await t
        .http()
        .post('/api/conversations/direct')
        .set(bearer(a))
        .send({ userId: a.id })
        .expect(400);
      expect(self.body.error).toBe('VALIDATION_FAILED');
      const nobody = await t
        .http()
        .post('/api/conversations/direct')
        .set(bearer(a))
        .send({ userId: '0123456789abcdef01234567' })
        .expect(404);
      expect(nobody.body.error).toBe('NOT_FOUND');
    });

    it('hides a conversation from strangers exactly as if it did not exist', async () => {
      const [a, b, stranger] = [
        await registerUser(t),
        await registerUser(t),
        await registerUser(t),
      ];
      const id = await directConversation(a, b);
      await send(await connect(a), { conversationId: id, body: 'private' });
      const routes = [`/api/conversations/${id}`, `/api/conversations/${id}/messages`];
      for (const route of routes) {
        const hidden = await t.http().get(route).set(bearer(stranger)).expect(404);
        const missing = await t
          .http()
          .get(route.replace(id, '0123456789abcdef01234567'))
          .set(bearer(stranger))
          .expect(404);
        expect(hidden.body).toEqual(missing.body);
      }
      const post = await t
        .http()
        .post(`/api/conversations/${id}/messages`)
        .set(bearer(stranger))
        .send({ body: 'let me in' })
        .expect(404);
      expect(post.body.error).toBe('NOT_FOUND');
      const socket = await connect(stranger);
      const reply = await ack<SendAck>(socket, 'message:send', { conversationId: id, body: 'hi' });
      expect(reply).toEqual({
        ok: false,
        error: { code: 'NOT_FOUND', message: expect.any(String) },
      });
      const sync = await ack<PageAck>(socket, 'sync', { conversationId: id, afterSeq: 0 });
      expect(sync).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect((await history(a, id)).items.map((m) => m.body)).toEqual(['private']);
    });
  });

  describe('message:send', () => {
    it('stores, acks and fans out to every socket of every member, the sender included', async () => {
      const [a, b, stranger] = [
        await registerUser(t),
        await registerUser(t),
        await registerUser(t),
      ];
      const id = await directConversation(a, b);
      const [a1, a2, b1, s1] = [
        await connect(a),
        await connect(a),
        await connect(b),
        await connect(stranger),
      ];
      const received = [a1, a2, b1, s1].map((socket) => collect<Message>(socket, 'message:new'));

      const reply = await ack<SendAck>(a1, 'message:send', {
        conversationId: id,
        body: 'hello',
        clientMsgId: 'c-1',
      });
      expect(reply).toEqual({
        ok: true,
        duplicate: false,
        message: {
          id: expect.stringMatching(/^[0-9a-f]{24}$/),
          conversationId: id,
          seq: 1,
          senderId: a.id,
          receiverId: b.id,
          body: 'hello',
          clientMsgId: 'c-1',
          createdAt: expect.any(String),
          editedAt: null,
          deletedAt: null,
          rev: 0,
          replyTo: null,
          mentions: [],
          reactions: [],
          attachments: [],
        },
      });
      await waitFor(() => received.slice(0, 3).every((list) => list.length === 1));
      for (const list of received.slice(0, 3)) {
        expect(list).toEqual([reply.ok ? reply.message : null]);
      }
      // Give a stray delivery time to arrive before asserting there is none.
      await settle();
      expect(received[3]).toEqual([]);
      expect((await history(b, id)).items).toEqual([reply.ok ? reply.message : null]);
    });

    it('sends `to` a user, creating the direct conversation and announcing it', async () => {
      const [a, b] = [await registerUser(t), await registerUser(t)];
      const bSocket = await connect(b);
      const announced = collect<{ id: string; type: string }>(bSocket, 'conversation:new');
      const received = collect<Message>(bSocket, 'message:new');
      const message = await send(await connect(a), { to: b.id, body: 'first contact' });
      expect(message).toMatchObject({ senderId: a.id, receiverId: b.id, seq: 1 });
      await waitFor(() => received.length === 1 && announced.length === 1);
      expect(announced[0]).toMatchObject({ id: message.conversationId, type: 'direct' });
      expect(await directConversation(b, a)).toBe(message.conversationId);
      const again = await send(await connect(a), { to: b.id, body: 'second' });
      expect(again).toMatchObject({ conversationId: message.conversationId, seq: 2 });
    });

    it('gives 100 concurrent sends from several sockets seqs 1..100, each stored once', async () => {
      const [a, b] = [await registerUser(t), await registerUser(t)];
      const id = await directConversation(a, b);
      const senders = [await connect(a), await connect(a), await connect(b)];
      const watcher = collect<Message>(await connect(b), 'message:new');
      const replies = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          send(senders[i % senders.length], { conversationId: id, body: `m${i}` }),
        ),
      );
      const seqs = replies.map((m) => m.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      const stored = await history(a, id, '?limit=100');
      expect(stored.items.map((m) => m.seq)).toEqual(seqs);
      expect(stored.hasMore).toBe(false);
      await waitFor(() => watcher.length === 100);
      // Deliveries arrive in seq order.
      expect(watcher.map((m) => m.seq)).toEqual(seqs);
    });

    it('stores a repeated clientMsgId once and acks the stored message as a duplicate', async () => {
      const [a, b] = [await registerUser(t), await registerUser(t)];
      const id = await directConversation(a, b);
      const [a1, a2] = [await connect(a), await connect(a)];
      const bReceived = collect<Message>(await connect(b), 'message:new');
      const payload = { conversationId: id, body: 'once', clientMsgId: 'dup-1' };
      const first = await ack<SendAck>(a1, 'message:send', payload);
      const [again, raced] = await Promise.all([
        ack<SendAck>(a2, 'message:send', payload),
        ack<SendAck>(a1, 'message:send', { ...payload, body: 'changed on retry' }),
      ]);
      expect(first).toMatchObject({ ok: true, duplicate: false });
      for (const reply of [again, raced]) {
        expect(reply).toEqual({ ok: true, duplicate: true, message: first.ok && first.message });
      }
      const rest = await t
        .http()
        .post(`/api/conversations/${id}/messages`)
        .set(bearer(a))
        .send({ body: 'once', clientMsgId: 'dup-1' })
        .expect(201);
      expect(rest.headers['idempotent-replayed']).toBe('true');
      expect(rest.body).toEqual(first.ok && first.message);
      await settle();
      expect(bReceived).toHaveLength(1);
      expect((await history(a, id)).items).toHaveLength(1);
      // The key is per sender: the other member may use the same clientMsgId.
      const fromB = await send(await connect(b), payload);
      expect(fromB).toMatchObject({ senderId: b.id, seq: 2 });
    });

    it('keeps seqs gap-free when a resend lands in the middle of a batch of new sends', async () => {
      const [a, b] = [await registerUser(t), await registerUser(t)];
      const id = await directConversation(a, b);
      const socket = await connect(a);
      const bReceived = collect<Message>(await connect(b), 'message:new');
      const first = await send(socket, { conversationId: id, body: 'first', clientMsgId: 'k0' });
      // Emitted in one tick, these share a batch; the resend is refused by the unique index.
      const replies = await Promise.all(
        ['k1', 'k2', 'k0', 'k3', 'k4'].map((clientMsgId) =>
          ack<SendAck>(socket, 'message:send', {
            conversationId: id,
            body: clientMsgId,
            clientMsgId,
          }),
        ),
      );
      expect(replies.map((reply) => reply.ok && [reply.message.seq, reply.duplicate])).toEqual([
        [2, false],
        [3, false],
        [1, true],
        [4, false],
        [5, false],
      ]);
      expect(replies[2]).toMatchObject({ message: { id: first.id, body: 'first' } });
      const stored = await history(a, id);
      expect(stored.items.map((m) => [m.seq, m.clientMsgId])).toEqual([
        [1, 'k0'],
        [2, 'k1'],
        [3, 'k2'],
        [4, 'k3'],
        [5, 'k4'],
      ]);
      await waitFor(() => bReceived.length === 5);
      await settle();
      expect(bReceived.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    });

    it('stores each of a burst of 190 sends once, a resend among them included', async () => {
      const [a, b] = [await registerUser(t), await registerUser(t)];
      const id = await directConversation(a, b);
      const socket = await connect(a);
      await send(socket, { conversationId: id, body: 'resent later', clientMsgId: 'again' });
      // Within the 200 a conversation may queue, across FerretDB's 100-document insert chunks.
      const keys = Array.from({ length: 190 }, (_, i) => (i === 60 ? 'again' : `burst-${i}`));
      const replies = await Promise.all(
        keys.map((clientMsgId) =>
          ack<SendAck>(socket, 'message:send', {
            conversationId: id,
            body: clientMsgId,
            clientMsgId,
          }),
        ),
      );
      expect(replies.filter((reply) => !reply.ok)).toEqual([]);
      const stored: Message[] = [];
      let page = await history(a, id, '?afterSeq=0&limit=100');
      stored.push(...page.items);
      while (page.hasMore) {
        page = await history(a, id, `?afterSeq=${stored[stored.length - 1].seq}&limit=100`);
        stored.push(...page.items);
      }
      expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 190 }, (_, i) => i + 1));
      expect(new Set(stored.map((m) => m.clientMsgId)).size).toBe(190);
    });

    it('sends over REST through the same path: stored, then emitted', async () => {
      const [a, b] = [await registerUser(t), await registerUser(t)];
      const id = await directConversation(a, b);
      const bReceived = collect<Message>(await connect(b), 'message:new');
      const response = await t
        .http()
        .post(`/api/conversations/${id}/messages`)
        .set(bearer(a))
        .send({ body: 'over rest' })
        .expect(201);
      expect(response.headers['idempotent-replayed']).toBeUndefined();
      expect(response.body).toMatchObject({ seq: 1, senderId: a.id, body: 'over rest' });
      await waitFor(() => bReceived.length === 1);
      expect(bReceived[0]).toEqual(response.body);
    });

    it('refuses a send that names its sender, over either transport, and stores nothing', async () => {
      const [a, b] = [await registerUser(t), await registerUser(t)];
      const id = await directConversation(a, b);
      const rest = await t
        .http()
        .post(`/api/conversations/${id}/messages`)
        .set(bearer(a))
        .send({ body: 'as b', senderId: b.id });
      expect([rest.status, rest.body.error]).toEqual([400, 'VALIDATION_FAILED']);
      const socket = await ack<SendAck>(await connect(a), 'message:send', {
        conversationId: id,
        body: 'as b',
        senderId: b.id,
      });
      expect(socket).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
      expect((await history(a, id)).items).toEqual([]);
    });
  });
});
