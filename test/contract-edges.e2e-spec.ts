import {
  bearer,
  collect,
  directConversation,
  registerUser,
  sendOk,
  uniqueName,
  useTestApp,
  waitFor,
  type TestUser,
} from './support/test-app';
import type { WireMessage } from './support/wire';

/** An ISO-8601 UTC timestamp as the contract gives times: `2026-11-30T20:01:59.123Z`. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * What the contract promises at its edges and by default: the largest and smallest values each
 * limit accepts, defaults, and fields whose value depends on the kind of conversation.
 */
describe('contract at its edges', () => {
  const suite = useTestApp();

  const register = (username: string, password = 'correct horse battery') =>
    suite.app.http().post('/api/auth/register').send({ username, password });

  /** A short unique suffix, so the edge-length usernames below are unique too. */
  const suffix = () =>
    uniqueName('')
      .replace(/[^a-z0-9]/g, '')
      .slice(-6);

  it('accepts usernames of 3 and 32 characters of [a-z0-9_.-], and passwords of 8 and 128', async () => {
    const shortest = `a${suffix()}`.slice(0, 3);
    const longest = `x.y-z_${suffix()}`.padEnd(32, '9');
    for (const [username, password] of [
      [shortest, 'p'.repeat(8)],
      [longest, 'p'.repeat(128)],
    ]) {
      const created = await register(username, password);
      expect({ username, status: created.status }).toEqual({ username, status: 201 });
      expect(created.body.user).toMatchObject({ username, displayName: username });
      await suite.app.http().post('/api/auth/login').send({ username, password }).expect(200);
    }
  });

  async function pair(): Promise<[TestUser, TestUser]> {
    return [await registerUser(suite.app), await registerUser(suite.app)];
  }

  it('accepts a body of 4000 characters and a clientMsgId of 64', async () => {
    const [a, b] = await pair();
    const conversation = { id: await directConversation(suite.app, a, b) };
    const body = 'é'.repeat(4000);
    const clientMsgId = 'k'.repeat(64);
    const { body: message } = await suite.app
      .http()
      .post(`/api/conversations/${conversation.id}/messages`)
      .set(bearer(a))
      .send({ body, clientMsgId })
      .expect(201);
    expect(message).toMatchObject({ body, clientMsgId, seq: 1 });
  });

  it('gives messages ISO UTC times, receiverId in direct conversations and null in groups', async () => {
    const [a, b] = await pair();
    const socket = await suite.connect(a);
    const direct = { id: await directConversation(suite.app, a, b) };
    const { body: group } = await suite.app
      .http()
      .post('/api/conversations')
      .set(bearer(a))
      .send({ title: 'edges', memberIds: [b.id] })
      .expect(201);
    const inDirect = await sendOk(socket, { conversationId: direct.id, body: 'direct' });
    const inGroup = await sendOk(socket, { conversationId: group.id, body: 'group' });
    expect(inDirect).toMatchObject({ receiverId: b.id, editedAt: null, deletedAt: null });
    expect(inGroup).toMatchObject({ receiverId: null });
    for (const message of [inDirect, inGroup]) expect(message.createdAt).toMatch(ISO_UTC);
    const edited = await suite.app
      .http()
      .patch(`/api/messages/${inGroup.id}`)
      .set(bearer(a))
      .send({ body: 'group, edited' })
      .expect(200);
    expect(edited.body.editedAt).toMatch(ISO_UTC);
    const conversation = await suite.app
      .http()
      .get(`/api/conversations/${group.id}`)
      .set(bearer(b))
      .expect(200);
    expect(conversation.body.createdAt).toMatch(ISO_UTC);
  });

  it('pages history 50 at a time by default, the latest page first', async () => {
    const [a, b] = await pair();
    const socket = await suite.connect(a);
    const direct = { id: await directConversation(suite.app, a, b) };
    for (let i = 1; i <= 55; i += 1)
      await sendOk(socket, { conversationId: direct.id, body: `m${i}` });
    const page = await suite.app
      .http()
      .get(`/api/conversations/${direct.id}/messages`)
      .set(bearer(b))
      .expect(200);
    const seqs = (page.body.items as WireMessage[]).map((message) => message.seq);
    expect({
      count: seqs.length,
      first: seqs[0],
      last: seqs.at(-1),
      hasMore: page.body.hasMore,
    }).toEqual({
      count: 50,
      first: 6,
      last: 55,
      hasMore: true,
    });
  });

  it('announces a direct conversation created by the other user with conversation:new', async () => {
    const [a, b] = await pair();
    const announced = collect<{ id: string; type: string; memberIds: string[] }>(
      await suite.connect(b),
      'conversation:new',
    );
    const direct = { id: await directConversation(suite.app, a, b) };
    await waitFor(() => announced.length === 1);
    expect(announced[0]).toMatchObject({ id: direct.id, type: 'direct' });
    expect([...announced[0].memberIds].sort()).toEqual([a.id, b.id].sort());
  });
});
