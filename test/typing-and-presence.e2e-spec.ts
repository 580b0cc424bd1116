import {
  ack,
  bearer,
  collect,
  connectSocket,
  directConversation,
  settle,
  useTestApp,
  waitFor,
  type TestApp,
} from './support/test-app';
import { conversationHelpers } from './support/conversation-helpers';

describe('typing and presence', () => {
  const suite = useTestApp();
  const { connect, users, group } = conversationHelpers(suite);
  let t: TestApp;
  beforeAll(() => {
    t = suite.app;
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
});
