import {
  ack,
  bearer,
  collect,
  directConversation as direct,
  getHistory,
  registerUser,
  sendOk as send,
  useTestApp,
  waitFor,
  type TestApp,
  type TestUser,
} from './support/test-app';
import type { PageAck, SendAck, WireMessage as Message } from './support/wire';

describe('chat: bad input, history and sync', () => {
  const suite = useTestApp();
  const connect = (user: TestUser) => suite.connect(user);
  let t: TestApp;
  beforeAll(() => {
    t = suite.app;
  });

  const directConversation = (a: TestUser, b: TestUser) => direct(t, a, b);
  const history = (user: TestUser, id: string, query = '') => getHistory(t, user, id, query);

  describe('bad input', () => {
    const huge = 'x'.repeat(50_000);
    const deep = JSON.parse(`${'{"a":'.repeat(200)}1${'}'.repeat(200)}`) as unknown;

    function badSends(id: string, self: string, other: string): [string, unknown, string][] {
      const ok = { conversationId: id, body: 'fine' };
      return [
        ['no payload', undefined, 'VALIDATION_FAILED'],
        ['null', null, 'VALIDATION_FAILED'],
        ['a string', 'hello', 'VALIDATION_FAILED'],
        ['a number', 42, 'VALIDATION_FAILED'],
        ['an array', [ok], 'VALIDATION_FAILED'],
        ['an empty object', {}, 'VALIDATION_FAILED'],
        ['no body', { conversationId: id }, 'VALIDATION_FAILED'],
        ['an empty body', { ...ok, body: '' }, 'VALIDATION_FAILED'],
        ['a whitespace body', { ...ok, body: ' \n\t ' }, 'VALIDATION_FAILED'],
        ['a 4001-character body', { ...ok, body: 'x'.repeat(4001) }, 'VALIDATION_FAILED'],
        ['a 50 kB body', { ...ok, body: huge }, 'VALIDATION_FAILED'],
        ['a numeric body', { ...ok, body: 42 }, 'VALIDATION_FAILED'],
        ['a null body', { ...ok, body: null }, 'VALIDATION_FAILED'],
        ['an array body', { ...ok, body: ['a'] }, 'VALIDATION_FAILED'],
        ['an operator body', { ...ok, body: { $gt: '' } }, 'VALIDATION_FAILED'],
        [
          'an operator conversationId',
          { ...ok, conversationId: { $ne: null } },
          'VALIDATION_FAILED',
        ],
        ['a numeric conversationId', { ...ok, conversationId: 123 }, 'VALIDATION_FAILED'],
        ['an array conversationId', { ...ok, conversationId: [id] }, 'VALIDATION_FAILED'],
        ['an unknown conversationId', { ...ok, conversationId: 'not-an-id' }, 'NOT_FOUND'],
        ['both conversationId and to', { ...ok, to: other }, 'VALIDATION_FAILED'],
        ['`to` oneself', { to: self, body: 'me' }, 'VALIDATION_FAILED'],
        ['an operator `to`', { to: { $gt: '' }, body: 'x' }, 'VALIDATION_FAILED'],
        ['`to` nobody', { to: '0123456789abcdef01234567', body: 'x' }, 'NOT_FOUND'],
        ['a 65-character clientMsgId', { ...ok, clientMsgId: 'c'.repeat(65) }, 'VALIDATION_FAILED'],
        ['an operator clientMsgId', { ...ok, clientMsgId: { $gt: '' } }, 'VALIDATION_FAILED'],
        ['an unknown field', { ...ok, admin: true }, 'VALIDATION_FAILED'],
        [
          'a prototype key',
          JSON.parse(`{"conversationId":"${id}","body":"p","__proto__":{"admin":true}}`),
          'VALIDATION_FAILED',
        ],
        [
          'a constructor key',
          { ...ok, constructor: { prototype: { admin: true } } },
          'VALIDATION_FAILED',
        ],
        ['deep nesting', { ...ok, clientMsgId: deep }, 'VALIDATION_FAILED'],
      ];
    }

    it('answers every bad send with an error ack, stores nothing and keeps the connection', async () => {
      const [a, b] = [await registerUser(t), await registerUser(t)];
      const id = await directConversation(a, b);
      const socket = await connect(a);
      const bReceived = collect<Message>(await connect(b), 'message:new');
      const failures: string[] = [];
      for (const [name, payload, code] of badSends(id, a.id, b.id)) {
        const reply = await ack<SendAck>(socket, 'message:send', payload);
        if (reply.ok || reply.error.code !== code || !reply.error.message) {
          failures.push(`${name}: ${JSON.stringify(reply).slice(0, 200)}`);
        }
      }
      expect(failures).toEqual([]);
      expect(socket.connected).toBe(true);
      expect((await history(a, id)).items).toEqual([]);
      expect(bReceived).toEqual([]);
      // The same socket still sends, and nobody else was disturbed.
      expect(await send(socket, { conversationId: id, body: 'still here' })).toMatchObject({
        seq: 1,
      });
    });

    it('answers bad sync payloads with VALIDATION_FAILED', async () => {
      const [a, b] = [await registerUser(t), await registerUser(t)];
      const id = await directConversation(a, b);
      const socket = await connect(a);
      const bad: unknown[] = [
        undefined,
        { conversationId: id },
        { conversationId: id, afterSeq: -1 },
        { conversationId: id, afterSeq: '5' },
        { conversationId: id, afterSeq: 1.5 },
        { conversationId: id, afterSeq: 0, limit: 0 },
        { conversationId: id, afterSeq: 0, limit: 101 },
        { conversationId: { $ne: null }, afterSeq: 0 },
        { afterSeq: 0 },
        { conversationId: id, afterSeq: 0, beforeSeq: 0 },
        { conversationId: id, afterSeq: 0, beforeSeq: { $gt: 0 } },
        { conversationId: id, afterSeq: 0, except: [[3, 2]] },
        { conversationId: id, afterSeq: 0, except: [[0, 2]] },
        { conversationId: id, afterSeq: 0, except: [[1, 2, 3]] },
        { conversationId: id, afterSeq: 0, except: [{ $gt: 1 }] },
        { conversationId: id, afterSeq: 0, except: '1-2' },
        {
          conversationId: id,
          afterSeq: 0,
          except: Array.from({ length: 21 }, (_, i) => [i + 1, i + 1]),
        },
      ];
      for (const payload of bad) {
        const reply = await ack<PageAck>(socket, 'sync', payload);
        expect(reply).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
      }
      expect(socket.connected).toBe(true);
    });

    it('reports a failed event without an ack callback as an `exception` event', async () => {
      const socket = await connect(await registerUser(t));
      const exceptions = collect<{ event: string; ok: boolean; error: { code: string } }>(
        socket,
        'exception',
      );
      socket.emit('message:send', { body: 42 });
      await waitFor(() => exceptions.length === 1);
      expect(exceptions[0]).toMatchObject({
        event: 'message:send',
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
      expect(socket.connected).toBe(true);
    });

    it('refuses bad REST sends and history queries with 400', async () => {
      const [a, b] = [await registerUser(t), await registerUser(t)];
      const id = await directConversation(a, b);
      for (const body of [
        {},
        { body: '' },
        { body: '  ' },
        { body: 5 },
        { body: 'x'.repeat(4001) },
        { body: 'x', extra: 1 },
      ]) {
        const response = await t
          .http()
          .post(`/api/conversations/${id}/messages`)
          .set(bearer(a))
          .send(body)
          .expect(400);
        expect(response.body.error).toBe('VALIDATION_FAILED');
      }
      for (const query of [
        '?limit=0',
        '?limit=101',
        '?limit=abc',
        '?beforeSeq=-1',
        '?afterSeq=x',
        '?limit=1&limit=2',
        '?beforeSeq[$gt]=1',
      ]) {
        await t.http().get(`/api/conversations/${id}/messages${query}`).set(bearer(a)).expect(400);
      }
      expect((await history(a, id)).items).toEqual([]);
    });
  });

  describe('history and sync', () => {
    async function seeded(count: number) {
      const [a, b] = [await registerUser(t), await registerUser(t)];
      const id = await directConversation(a, b);
      const socket = await connect(a);
      for (let i = 1; i <= count; i += 1) await send(socket, { conversationId: id, body: `m${i}` });
      return { a, b, id, socket };
    }

    it('pages history by seq: latest page, older pages, newer pages', async () => {
      const { a, id } = await seeded(7);
      const seqs = (page: { items: Message[] }) => page.items.map((m) => m.seq);
      const latest = await history(a, id, '?limit=3');
      expect([seqs(latest), latest.hasMore]).toEqual([[5, 6, 7], true]);
      const older = await history(a, id, '?limit=3&beforeSeq=5');
      expect([seqs(older), older.hasMore]).toEqual([[2, 3, 4], true]);
      const oldest = await history(a, id, '?limit=3&beforeSeq=2');
      expect([seqs(oldest), oldest.hasMore]).toEqual([[1], false]);
      const newer = await history(a, id, '?limit=3&afterSeq=4');
      expect([seqs(newer), newer.hasMore]).toEqual([[5, 6, 7], false]);
      const all = await history(a, id);
      expect(seqs(all)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });

    it('returns exactly the missed messages to a client that syncs after reconnecting', async () => {
      const { b, id, socket } = await seeded(2);
      const bFirst = await connect(b);
      const seen = collect<Message>(bFirst, 'message:new');
      await send(socket, { conversationId: id, body: 'live' });
      await waitFor(() => seen.length === 1);
      const lastSeen = seen[0].seq;
      bFirst.close();
      for (let i = 0; i < 5; i += 1)
        await send(socket, { conversationId: id, body: `missed ${i}` });

      const bAgain = await connect(b);
      const page = await ack<PageAck>(bAgain, 'sync', { conversationId: id, afterSeq: lastSeen });
      expect(page).toMatchObject({ ok: true, hasMore: false });
      expect(page.ok && page.items.map((m) => m.body)).toEqual(
        [0, 1, 2, 3, 4].map((i) => `missed ${i}`),
      );
      expect(page.ok && page.items.map((m) => m.seq)).toEqual([4, 5, 6, 7, 8]);

      const paged = await ack<PageAck>(bAgain, 'sync', {
        conversationId: id,
        afterSeq: lastSeen,
        limit: 2,
      });
      expect(paged).toMatchObject({ ok: true, hasMore: true });
      expect(paged.ok && paged.items.map((m) => m.seq)).toEqual([4, 5]);
    });

    it('syncs just the gaps a client lacks: below beforeSeq, leaving out the runs it holds', async () => {
      const { a, id } = await seeded(12);
      const socket = await connect(a);
      const sync = async (payload: Record<string, unknown>) => {
        const page = await ack<PageAck>(socket, 'sync', { conversationId: id, ...payload });
        if (!page.ok) throw new Error(page.error.code);
        return [page.items.map((m) => m.seq), page.hasMore];
      };
      // Holds 1-2, 5-6 and 9 (heard live): asks for 3-4 and 7-8 below 9, then the tail after it.
      const gaps = { afterSeq: 2, beforeSeq: 9, except: [[5, 6]] };
      expect(await sync(gaps)).toEqual([[3, 4, 7, 8], false]);
      expect(await sync({ ...gaps, limit: 3 })).toEqual([[3, 4, 7], true]);
      expect(
        await sync({
          afterSeq: 2,
          except: [
            [5, 6],
            [9, 9],
          ],
        }),
      ).toEqual([[3, 4, 7, 8, 10, 11, 12], false]);
      expect(await sync({ afterSeq: 2, except: [[3, 12]] })).toEqual([[], false]);
      expect(await sync({ afterSeq: 4, beforeSeq: 5 })).toEqual([[], false]);
    });
  });
});
