import {
  ack,
  bearer,
  collect,
  connectSocket,
  directConversation,
  getHistory,
  registerUser,
  sendOk,
  settle,
  useTestApp,
  TestApp,
  TestUser,
  waitFor,
} from './support/test-app';
import type { PageAck, WireAck, WireMessage } from './support/wire';

interface Conversation {
  id: string;
  type: 'direct' | 'group';
  title: string | null;
  memberIds: string[];
  createdAt: string;
  lastSeq: number;
  lastMessage: WireMessage | null;
  lastReadSeq: number;
  unreadCount: number;
}

type MessageAck = WireAck<{ message: WireMessage }>;

describe('conversations, receipts, edits, typing and presence', () => {
  const suite = useTestApp();
  const connect = (user: TestUser) => suite.connect(user);
  let t: TestApp;
  beforeAll(() => {
    t = suite.app;
  });

  async function users(count: number): Promise<TestUser[]> {
    return Promise.all(Array.from({ length: count }, () => registerUser(t, 'cv')));
  }

  async function group(creator: TestUser, members: TestUser[], title = 'Team'): Promise<string> {
    const response = await t
      .http()
      .post('/api/conversations')
      .set(bearer(creator))
      .send({ title, memberIds: members.map((m) => m.id) })
      .expect(201);
    return response.body.id as string;
  }

  async function conversation(user: TestUser, id: string): Promise<Conversation> {
    const response = await t.http().get(`/api/conversations/${id}`).set(bearer(user)).expect(200);
    return response.body as Conversation;
  }

  describe('groups', () => {
    it('creates a group with the creator as a member and announces it to every member', async () => {
      const [a, b, c] = await users(3);
      const [a2, bSocket, cSocket] = [await connect(a), await connect(b), await connect(c)];
      const announced = [a2, bSocket, cSocket].map((s) =>
        collect<Conversation>(s, 'conversation:new'),
      );
      const response = await t
        .http()
        .post('/api/conversations')
        .set(bearer(a))
        .send({ title: '  Launch  ', memberIds: [b.id, c.id, b.id] })
        .expect(201);
      expect(response.body).toEqual({
        id: expect.any(String),
        type: 'group',
        title: 'Launch',
        memberIds: [a.id, b.id, c.id],
        createdAt: expect.any(String),
        lastSeq: 0,
        lastMessage: null,
        lastReadSeq: 0,
        unreadCount: 0,
      });
      await waitFor(() => announced.every((list) => list.length === 1));
      expect(announced.map((list) => list[0].id)).toEqual(Array(3).fill(response.body.id));
    });

    it.each([
      ['no title', { memberIds: [] }],
      ['a blank title', { title: '   ', memberIds: [] }],
      ['a 101-character title', { title: 't'.repeat(101), memberIds: [] }],
      ['memberIds that is not an array', { title: 'x', memberIds: 'abc' }],
      ['an operator member', { title: 'x', memberIds: [{ $ne: null }] }],
      ['101 members', { title: 'x', memberIds: Array(101).fill('0123456789abcdef01234567') }],
    ])('refuses a group with %s (400) and creates nothing', async (_case, body) => {
      const [a] = await users(1);
      const response = await t
        .http()
        .post('/api/conversations')
        .set(bearer(a))
        .send(body)
        .expect(400);
      expect(response.body.error).toBe('VALIDATION_FAILED');
      const list = await t.http().get('/api/conversations').set(bearer(a)).expect(200);
      expect(list.body).toEqual([]);
    });

    it('refuses a group with an unknown member (404) and creates nothing', async () => {
      const [a] = await users(1);
      await t
        .http()
        .post('/api/conversations')
        .set(bearer(a))
        .send({ title: 'x', memberIds: ['0123456789abcdef01234567'] })
        .expect(404);
      expect((await t.http().get('/api/conversations').set(bearer(a))).body).toEqual([]);
    });

    it('lets any member add a user, who is announced the group and receives its messages at once', async () => {
      const [a, b, d] = await users(3);
      const id = await group(a, [b]);
      const [d1, d2] = [await connect(d), await connect(d)];
      const announced = [d1, d2].map((s) => collect<Conversation>(s, 'conversation:new'));
      const received = collect<WireMessage>(d1, 'message:new');
      await t
        .http()
        .post(`/api/conversations/${id}/members`)
        .set(bearer(b))
        .send({ userId: d.id })
        .expect(204);
      await waitFor(() => announced.every((list) => list.length === 1));
      expect(announced[0][0]).toMatchObject({ id, memberIds: [a.id, b.id, d.id] });
      const message = await sendOk(await connect(a), { conversationId: id, body: 'welcome' });
      await waitFor(() => received.length === 1);
      expect(received[0].id).toBe(message.id);
      // Adding again changes nothing and announces nothing.
      await t
        .http()
        .post(`/api/conversations/${id}/members`)
        .set(bearer(a))
        .send({ userId: d.id })
        .expect(204);
      await settle();
      expect(announced[0]).toHaveLength(1);
      expect((await conversation(d, id)).memberIds).toEqual([a.id, b.id, d.id]);
    });

    it('refuses adds by strangers (404), to direct conversations (400) and of nobody (404)', async () => {
      const [a, b, stranger] = await users(3);
      const id = await group(a, [b]);
      const add = (actor: TestUser, conversationId: string, userId: string) =>
        t
          .http()
          .post(`/api/conversations/${conversationId}/members`)
          .set(bearer(actor))
          .send({ userId });
      expect((await add(stranger, id, stranger.id)).status).toBe(404);
      expect((await add(a, await directConversation(t, a, b), stranger.id)).status).toBe(400);
      expect((await add(a, id, '0123456789abcdef01234567')).status).toBe(404);
      expect((await add(a, id, 'not-an-id')).status).toBe(404);
      expect((await add(a, id, { $ne: null } as unknown as string)).status).toBe(400);
      expect((await conversation(a, id)).memberIds).toEqual([a.id, b.id]);
    });

    it('cuts a member who leaves off at once, even with a socket connected', async () => {
      const [a, b, d] = await users(3);
      const id = await group(a, [b, d]);
      const [aSocket, dSocket] = [await connect(a), await connect(d)];
      const dReceived = collect<WireMessage>(dSocket, 'message:new');
      await sendOk(aSocket, { conversationId: id, body: 'before' });
      await waitFor(() => dReceived.length === 1);

      await t.http().delete(`/api/conversations/${id}/members/${d.id}`).set(bearer(d)).expect(204);

      await sendOk(aSocket, { conversationId: id, body: 'after' });
      await settle();
      expect(dReceived.map((m) => m.body)).toEqual(['before']);
      await t.http().get(`/api/conversations/${id}`).set(bearer(d)).expect(404);
      await t.http().get(`/api/conversations/${id}/messages`).set(bearer(d)).expect(404);
      const replies = [
        await ack(dSocket, 'message:send', { conversationId: id, body: 'still here?' }),
        await ack(dSocket, 'sync', { conversationId: id, afterSeq: 0 }),
        await ack(dSocket, 'read', { conversationId: id, seq: 1 }),
        await ack(dSocket, 'typing', { conversationId: id, typing: true }),
      ];
      for (const reply of replies)
        expect(reply).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      const list = await t.http().get('/api/conversations').set(bearer(d)).expect(200);
      expect(list.body).toEqual([]);
      expect((await conversation(a, id)).memberIds).toEqual([a.id, b.id]);
    });

    it('lets only the creator remove others', async () => {
      const [a, b, c] = await users(3);
      const id = await group(a, [b, c]);
      const remove = (actor: TestUser, userId: string) =>
        t.http().delete(`/api/conversations/${id}/members/${userId}`).set(bearer(actor));
      const forbidden = await remove(b, c.id);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error).toBe('FORBIDDEN');
      expect((await remove(a, c.id)).status).toBe(204);
      expect((await remove(a, c.id)).status).toBe(404);
      expect((await conversation(a, id)).memberIds).toEqual([a.id, b.id]);
      const direct = await directConversation(t, a, b);
      const fromDirect = await t
        .http()
        .delete(`/api/conversations/${direct}/members/${b.id}`)
        .set(bearer(a));
      expect(fromDirect.status).toBe(400);
    });
  });

  describe('listing and unread counts', () => {
    it('lists the user’s conversations latest activity first, with last message and unread counts', async () => {
      const [a, b, c] = await users(3);
      const first = await directConversation(t, a, b);
      const second = await group(c, [a]);
      const third = await directConversation(t, a, c);
      const [bSocket, cSocket, aSocket] = [await connect(b), await connect(c), await connect(a)];
      await sendOk(bSocket, { conversationId: first, body: 'b1' });
      await sendOk(cSocket, { conversationId: second, body: 'c1' });
      await sendOk(cSocket, { conversationId: second, body: 'c2' });
      await sendOk(aSocket, { conversationId: second, body: 'mine' });
      await sendOk(bSocket, { conversationId: first, body: 'b2' });

      const list = (await t.http().get('/api/conversations').set(bearer(a)).expect(200))
        .body as Conversation[];
      expect(list.map((cv) => cv.id)).toEqual([first, second, third]);
      expect(list[0]).toMatchObject({ lastSeq: 2, unreadCount: 2, lastReadSeq: 0 });
      expect(list[0].lastMessage).toMatchObject({ body: 'b2', seq: 2 });
      expect(list[1]).toMatchObject({ lastSeq: 3, unreadCount: 2, title: 'Team' });
      expect(list[2]).toMatchObject({ lastSeq: 0, unreadCount: 0, lastMessage: null });

      const page = await t.http().get('/api/conversations?limit=2').set(bearer(a)).expect(200);
      expect((page.body as Conversation[]).map((cv) => cv.id)).toEqual([first, second]);
      const before = list[1].lastMessage?.createdAt ?? '';
      const next = await t
        .http()
        .get(`/api/conversations?limit=2&before=${encodeURIComponent(before)}`)
        .set(bearer(a))
        .expect(200);
      expect((next.body as Conversation[]).map((cv) => cv.id)).toEqual([third]);
      await t.http().get('/api/conversations?limit=0').set(bearer(a)).expect(400);
      await t.http().get('/api/conversations?before=yesterday').set(bearer(a)).expect(400);
    });
  });

  describe('read pointers', () => {
    async function seeded() {
      const [a, b] = await users(2);
      const id = await directConversation(t, a, b);
      const aSocket = await connect(a);
      for (let i = 1; i <= 5; i += 1) await sendOk(aSocket, { conversationId: id, body: `m${i}` });
      return { a, b, id, aSocket };
    }

    it('moves forward over REST, tells the other members, and updates unread counts', async () => {
      const { a, b, id, aSocket } = await seeded();
      const reads = collect<{ conversationId: string; userId: string; seq: number }>(
        aSocket,
        'read',
      );
      const bOther = collect(await connect(b), 'read');
      await t
        .http()
        .post(`/api/conversations/${id}/read`)
        .set(bearer(b))
        .send({ seq: 2 })
        .expect(204);
      await waitFor(() => reads.length === 1);
      expect(reads[0]).toEqual({ conversationId: id, userId: b.id, seq: 2 });
      expect(await conversation(b, id)).toMatchObject({ lastReadSeq: 2, unreadCount: 3 });
      // The sender's own messages are never unread for them.
      expect(await conversation(a, id)).toMatchObject({ lastReadSeq: 0, unreadCount: 0 });
      await settle();
      expect(bOther).toEqual([]);
    });

    it('never moves backwards, and caps at the latest message', async () => {
      const { b, id, aSocket } = await seeded();
      const reads = collect<{ seq: number }>(aSocket, 'read');
      const bSocket = await connect(b);
      expect(await ack(bSocket, 'read', { conversationId: id, seq: 4 })).toEqual({ ok: true });
      expect(await ack(bSocket, 'read', { conversationId: id, seq: 1 })).toEqual({ ok: true });
      await t
        .http()
        .post(`/api/conversations/${id}/read`)
        .set(bearer(b))
        .send({ seq: 3 })
        .expect(204);
      expect((await conversation(b, id)).lastReadSeq).toBe(4);
      await ack(bSocket, 'read', { conversationId: id, seq: 999 });
      expect(await conversation(b, id)).toMatchObject({ lastReadSeq: 5, unreadCount: 0 });
      await settle();
      expect(reads.map((r) => r.seq)).toEqual([4, 5]);
    });

    it('ends at the highest seq when reads race', async () => {
      const { b, id } = await seeded();
      const [s1, s2] = [await connect(b), await connect(b)];
      await Promise.all(
        [3, 5, 1, 4, 2, 5, 3].map((seq, i) =>
          ack(i % 2 ? s1 : s2, 'read', { conversationId: id, seq }),
        ),
      );
      expect((await conversation(b, id)).lastReadSeq).toBe(5);
    });

    it('refuses bad reads and reads by non-members', async () => {
      const { b, id } = await seeded();
      const [stranger] = await users(1);
      for (const seq of [-1, '2', 1.5, null]) {
        const response = await t
          .http()
          .post(`/api/conversations/${id}/read`)
          .set(bearer(b))
          .send({ seq });
        expect(response.status).toBe(400);
      }
      await t
        .http()
        .post(`/api/conversations/${id}/read`)
        .set(bearer(stranger))
        .send({ seq: 1 })
        .expect(404);
      const socket = await connect(b);
      expect(await ack(socket, 'read', { conversationId: id })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
      expect((await conversation(b, id)).lastReadSeq).toBe(0);
    });
  });

  describe('edit and delete', () => {
    async function withMessage() {
      const [a, b, stranger] = await users(3);
      const id = await group(a, [b]);
      const aSocket = await connect(a);
      const message = await sendOk(aSocket, { conversationId: id, body: 'original' });
      return { a, b, stranger, id, aSocket, message };
    }

    it('lets the sender edit over REST; every member gets message:updated', async () => {
      const { a, b, id, message } = await withMessage();
      const updates = [await connect(a), await connect(b)].map((s) =>
        collect<WireMessage>(s, 'message:updated'),
      );
      const response = await t
        .http()
        .patch(`/api/messages/${message.id}`)
        .set(bearer(a))
        .send({ body: 'edited' })
        .expect(200);
      expect(response.body).toEqual({
        ...message,
        body: 'edited',
        editedAt: expect.any(String),
      });
      await waitFor(() => updates.every((list) => list.length === 1));
      expect(updates[1][0]).toEqual(response.body);
      expect((await getHistory(t, b, id)).items).toEqual([response.body]);
    });

    it('refuses edits and deletes by other members (403) and strangers (404), changing nothing', async () => {
      const { a, b, stranger, id, message } = await withMessage();
      const patch = (user: TestUser) =>
        t.http().patch(`/api/messages/${message.id}`).set(bearer(user)).send({ body: 'hijack' });
      const del = (user: TestUser) =>
        t.http().delete(`/api/messages/${message.id}`).set(bearer(user));
      const forbidden = await patch(b);
      expect([forbidden.status, forbidden.body.error]).toEqual([403, 'FORBIDDEN']);
      expect((await del(b)).status).toBe(403);
      const hidden = await patch(stranger);
      const missing = await t
        .http()
        .patch('/api/messages/0123456789abcdef01234567')
        .set(bearer(stranger))
        .send({ body: 'x' });
      expect([hidden.status, hidden.body]).toEqual([404, missing.body]);
      expect((await del(stranger)).status).toBe(404);
      const bSocket = await connect(b);
      expect(
        await ack<MessageAck>(bSocket, 'message:edit', { messageId: message.id, body: 'x' }),
      ).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
      expect(
        await ack<MessageAck>(bSocket, 'message:delete', { messageId: message.id }),
      ).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
      for (const body of [
        {},
        { body: '' },
        { body: ' ' },
        { body: 'x'.repeat(4001) },
        { body: 1 },
      ]) {
        await t.http().patch(`/api/messages/${message.id}`).set(bearer(a)).send(body).expect(400);
      }
      expect((await getHistory(t, a, id)).items).toEqual([message]);
    });

    it('deletes over the socket keeping the seq, once; a deleted message cannot be edited', async () => {
      const { a, b, id, aSocket, message } = await withMessage();
      const later = await sendOk(aSocket, { conversationId: id, body: 'later' });
      const deletions = [aSocket, await connect(b)].map((s) =>
        collect<WireMessage>(s, 'message:deleted'),
      );
      const reply = await ack<MessageAck>(aSocket, 'message:delete', { messageId: message.id });
      expect(reply).toEqual({
        ok: true,
        message: { ...message, body: '', deletedAt: expect.any(String) },
      });
      await waitFor(() => deletions.every((list) => list.length === 1));
      const again = await t.http().delete(`/api/messages/${message.id}`).set(bearer(a)).expect(200);
      expect(again.body).toEqual(reply.ok && reply.message);
      const edit = await ack<MessageAck>(aSocket, 'message:edit', {
        messageId: message.id,
        body: 'back',
      });
      expect(edit).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      await settle();
      expect(deletions[1]).toHaveLength(1);
      const items = (await getHistory(t, b, id)).items;
      expect(items.map((m) => [m.seq, m.body])).toEqual([
        [1, ''],
        [2, 'later'],
      ]);
      expect(items[1]).toEqual(later);
      // A deleted message is not unread.
      expect((await conversation(b, id)).unreadCount).toBe(1);
    });

    it('edits over the socket; the other members get message:updated', async () => {
      const { b, aSocket, message } = await withMessage();
      const updates = collect<WireMessage>(await connect(b), 'message:updated');
      const reply = await ack<MessageAck>(aSocket, 'message:edit', {
        messageId: message.id,
        body: 'v2',
      });
      expect(reply).toMatchObject({ ok: true, message: { id: message.id, body: 'v2', seq: 1 } });
      await waitFor(() => updates.length === 1);
      expect(updates[0]).toMatchObject({
        id: message.id,
        body: 'v2',
        editedAt: expect.any(String),
      });
      const bad = await ack<MessageAck>(aSocket, 'message:edit', {
        messageId: { $ne: null },
        body: 'v3',
      });
      expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    });
  });

  describe('typing', () => {
    it('relays typing to the other members only, and refuses foreign conversations', async () => {
      const [a, b, stranger] = await users(3);
      const id = await directConversation(t, a, b);
      const [a1, a2, b1, s1] = [
        await connect(a),
        await connect(a),
        await connect(b),
        await connect(stranger),
      ];
      const seen = [a2, b1, s1].map((s) => collect(s, 'typing'));
      expect(await ack(a1, 'typing', { conversationId: id, typing: true })).toEqual({ ok: true });
      a1.emit('typing', { conversationId: id, typing: false });
      await waitFor(() => seen[1].length === 2);
      expect(seen[1]).toEqual([
        { conversationId: id, userId: a.id, typing: true },
        { conversationId: id, userId: a.id, typing: false },
      ]);
      const foreign = await ack(s1, 'typing', { conversationId: id, typing: true });
      expect(foreign).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      const bad = await ack(a1, 'typing', { conversationId: id, typing: 'yes' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
      await settle();
      expect(seen[0]).toEqual([]);
      expect(seen[2]).toEqual([]);
      expect(seen[1]).toHaveLength(2);
    });
  });

  describe('presence', () => {
    interface Presence {
      userId: string;
      online: boolean;
      lastSeenAt: string | null;
    }

    it('announces a user’s first socket and last socket to their contacts only', async () => {
      const [a, b, stranger] = await users(3);
      await directConversation(t, a, b);
      const bSocket = await connect(b);
      const bSees = collect<Presence>(bSocket, 'presence');
      const strangerSees = collect<Presence>(await connect(stranger), 'presence');
      // Connects that overlap may each report the other (the same state twice): keep them apart.
      await settle();

      const a1 = await connectSocket(t, a.token);
      const aSees = collect<Presence>(a1, 'presence');
      await waitFor(() => bSees.length === 1 && aSees.length === 1);
      expect(bSees[0]).toEqual({ userId: a.id, online: true, lastSeenAt: expect.any(String) });
      // The new socket learns which contacts are online now.
      expect(aSees[0]).toMatchObject({ userId: b.id, online: true });

      const a2 = await connectSocket(t, a.token);
      a1.close();
      await settle();
      expect(bSees).toHaveLength(1);
      a2.close();
      await waitFor(() => bSees.length === 2);
      expect(bSees[1]).toEqual({ userId: a.id, online: false, lastSeenAt: expect.any(String) });
      expect(Date.parse(bSees[1].lastSeenAt ?? '')).toBeGreaterThanOrEqual(
        Date.parse(bSees[0].lastSeenAt ?? ''),
      );
      expect(strangerSees).toEqual([]);
    });

    it('tells users who start sharing a conversation while online about each other', async () => {
      const [a, b, c, stranger] = await users(4);
      const [aSocket, bSocket, cSocket] = await Promise.all([connect(a), connect(b), connect(c)]);
      const strangerSocket = await connect(stranger);
      await settle();
      const [aSees, bSees, cSees, strangerSees] = [aSocket, bSocket, cSocket, strangerSocket].map(
        (socket) => collect<Presence>(socket, 'presence'),
      );

      await directConversation(t, a, b);
      await waitFor(() => aSees.length === 1 && bSees.length === 1);
      expect(aSees[0]).toMatchObject({ userId: b.id, online: true });
      expect(bSees[0]).toMatchObject({ userId: a.id, online: true });

      // Added to a group of a and b: c learns both, they learn c.
      const id = await group(a, [b]);
      await waitFor(() => aSees.length >= 2 && bSees.length >= 2);
      await t
        .http()
        .post(`/api/conversations/${id}/members`)
        .set(bearer(a))
        .send({ userId: c.id })
        .expect(204);
      await waitFor(() => cSees.length === 2);
      expect(cSees.map((p) => p.userId).sort()).toEqual([a.id, b.id].sort());
      await waitFor(
        () => aSees.some((p) => p.userId === c.id) && bSees.some((p) => p.userId === c.id),
      );
      await settle();
      expect(strangerSees).toEqual([]);
    });
  });

  describe('sync across membership', () => {
    it('syncs a group from a seq for a member', async () => {
      const [a, b] = await users(2);
      const id = await group(a, [b]);
      const aSocket = await connect(a);
      for (const body of ['x', 'y', 'z']) await sendOk(aSocket, { conversationId: id, body });
      const page = await ack<PageAck>(await connect(b), 'sync', {
        conversationId: id,
        afterSeq: 1,
      });
      expect(page.ok && page.items.map((m) => m.body)).toEqual(['y', 'z']);
    });
  });
});
