import {
  ack,
  bearer,
  collect,
  directConversation,
  sendOk,
  settle,
  useTestApp,
  waitFor,
  type TestApp,
  type TestUser,
} from './support/test-app';
import { conversationHelpers, type Conversation } from './support/conversation-helpers';
import type { PageAck, WireMessage } from './support/wire';

describe('conversations: groups, listing, unread counts and sync across membership', () => {
  const suite = useTestApp();
  const { connect, users, group, conversation, makeAdmin } = conversationHelpers(suite);
  let t: TestApp;
  beforeAll(() => {
    t = suite.app;
  });

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
        members: [
          { userId: a.id, role: 'owner', joinedAt: expect.any(String) },
          { userId: b.id, role: 'member', joinedAt: expect.any(String) },
          { userId: c.id, role: 'member', joinedAt: expect.any(String) },
        ],
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

    it('lets an admin add a user, who is announced the group and receives its messages at once', async () => {
      const [a, b, d] = await users(3);
      const id = await group(a, [b]);
      await makeAdmin(a, id, b);
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
      const before = list[1].lastActivityAt;
      expect(before).toBe(list[1].lastMessage?.createdAt);
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
