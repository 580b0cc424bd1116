import {
  ack,
  bearer,
  collect,
  directConversation,
  getHistory,
  sendOk,
  settle,
  useTestApp,
  waitFor,
  type TestApp,
  type TestUser,
} from './support/test-app';
import { conversationHelpers, type MessageAck } from './support/conversation-helpers';
import type { WireMessage } from './support/wire';

describe('read pointers, edits and deletes', () => {
  const suite = useTestApp();
  const { connect, users, group, conversation } = conversationHelpers(suite);
  let t: TestApp;
  beforeAll(() => {
    t = suite.app;
  });

  describe('read pointers', () => {
    async function seeded() {
      const [a, b] = await users(2);
      const id = await directConversation(t, a, b);
      const aSocket = await connect(a);
      for (let i = 1; i <= 5; i += 1) await sendOk(aSocket, { conversationId: id, body: `m${i}` });
      return { a, b, id, aSocket };
    }

    it('moves forward over REST, tells every member (the reader’s other sockets too), and updates unread counts', async () => {
      const { a, b, id, aSocket } = await seeded();
      const reads = collect<{ conversationId: string; userId: string; seq: number }>(
        aSocket,
        'read',
      );
      const bOther = collect<{ seq: number }>(await connect(b), 'read');
      await t
        .http()
        .post(`/api/conversations/${id}/read`)
        .set(bearer(b))
        .send({ seq: 2 })
        .expect(204);
      await waitFor(() => reads.length === 1 && bOther.length === 1);
      expect(reads[0]).toEqual({ conversationId: id, userId: b.id, seq: 2 });
      expect(bOther).toEqual(reads);
      expect(await conversation(b, id)).toMatchObject({ lastReadSeq: 2, unreadCount: 3 });
      // The sender's own messages are never unread for them.
      expect(await conversation(a, id)).toMatchObject({ lastReadSeq: 0, unreadCount: 0 });
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

  describe('receipts that survive a reload', () => {
    it('lists every member’s read and delivered pointers in the view and at /reads', async () => {
      const [a, b, c] = await users(3);
      const id = await group(a, [b, c]);
      const aSocket = await connect(a);
      for (let i = 1; i <= 4; i += 1) await sendOk(aSocket, { conversationId: id, body: `m${i}` });
      const bSocket = await connect(b);
      const delivered = collect<{ conversationId: string; userId: string; seq: number }>(
        aSocket,
        'delivered',
      );
      const bDelivered = collect(bSocket, 'delivered');
      expect(await ack(bSocket, 'delivered', { conversationId: id, seq: 4 })).toEqual({ ok: true });
      expect(await ack(bSocket, 'delivered', { conversationId: id, seq: 2 })).toEqual({ ok: true });
      expect(await ack(bSocket, 'read', { conversationId: id, seq: 3 })).toEqual({ ok: true });
      await waitFor(() => delivered.length === 1);
      expect(delivered).toEqual([{ conversationId: id, userId: b.id, seq: 4 }]);

      const expected = [
        { userId: a.id, seq: 0, at: null, deliveredSeq: 0 },
        { userId: b.id, seq: 3, at: expect.any(String), deliveredSeq: 4 },
        { userId: c.id, seq: 0, at: null, deliveredSeq: 0 },
      ];
      const byUser = (list: { userId: string }[]) =>
        [...list].sort((x, y) => x.userId.localeCompare(y.userId));
      // As any member sees it, after a reload: from the view and from the list route.
      expect(byUser((await conversation(c, id)).reads)).toEqual(byUser(expected));
      const listed = await t
        .http()
        .get(`/api/conversations/${id}/reads`)
        .set(bearer(a))
        .expect(200);
      expect(byUser(listed.body as { userId: string }[])).toEqual(byUser(expected));
      await settle();
      expect(bDelivered).toEqual([]); // the member's own delivered pointer is not echoed
    });

    it('refuses bad delivered pointers and strangers, storing nothing', async () => {
      const [a, b, stranger] = await users(3);
      const id = await group(a, [b]);
      await sendOk(await connect(a), { conversationId: id, body: 'm1' });
      const bSocket = await connect(b);
      for (const bad of [
        { conversationId: id },
        { conversationId: id, seq: -1 },
        { conversationId: id, seq: '1' },
        { conversationId: id, seq: 1, x: 1 },
      ]) {
        expect(await ack(bSocket, 'delivered', bad)).toMatchObject({
          ok: false,
          error: { code: 'VALIDATION_FAILED' },
        });
      }
      const strangerSocket = await connect(stranger);
      expect(await ack(strangerSocket, 'delivered', { conversationId: id, seq: 1 })).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND' },
      });
      await t.http().get(`/api/conversations/${id}/reads`).set(bearer(stranger)).expect(404);
      const reads = (await conversation(a, id)).reads;
      expect(reads.every((read) => read.deliveredSeq === 0 && read.seq === 0)).toBe(true);
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
        rev: 1, // the conversation's first change
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
        message: { ...message, body: '', deletedAt: expect.any(String), rev: 1 },
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
});
