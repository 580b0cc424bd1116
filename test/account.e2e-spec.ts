import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { ExportLine } from '@nest-chat/protocol';
import { conversationHelpers } from './support/conversation-helpers';
import {
  bearer,
  collect,
  directConversation,
  getHistory,
  sendOk,
  useTestApp,
  waitFor,
  type TestUser,
} from './support/test-app';

const PASSWORD = 'correct horse battery';

/** Deleting an account, and exporting what it holds. */
describe('account deletion and export', () => {
  const suite = useTestApp();
  const { connect, users, group, conversation } = conversationHelpers(suite);
  const http = () => suite.app.http();
  const deleteAccount = (user: TestUser, password: unknown) =>
    http().delete('/api/users/me').set(bearer(user)).send({ password });

  it('refuses a wrong or missing password, and nothing changes', async () => {
    const [ann] = await users(1);
    const wrong = await deleteAccount(ann, 'not my password');
    expect([wrong.status, wrong.body.error]).toEqual([403, 'FORBIDDEN']);
    const missing = await http().delete('/api/users/me').set(bearer(ann)).send({});
    expect([missing.status, missing.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    const operator = await deleteAccount(ann, { $ne: null });
    expect(operator.status).toBe(400);
    await http().get('/api/users/me').set(bearer(ann)).expect(200);
    await http().delete('/api/users/me').send({ password: PASSWORD }).expect(401);
  });

  it('ends every session, deletes its messages as a sender would, hands its groups over and hides it', async () => {
    const [ann, bob, cat] = await users(3);
    const direct = await directConversation(suite.app, ann, bob);
    const crew = await group(ann, [bob, cat]);
    await http()
      .patch(`/api/conversations/${crew}/members/${cat.id}`)
      .set(bearer(ann))
      .send({ role: 'admin' })
      .expect(200);
    const annSocket = await connect(ann);
    const toBob = await sendOk(annSocket, { conversationId: direct, body: 'hi bob' });
    await sendOk(annSocket, { conversationId: crew, body: 'hi crew' });
    const bobsReply = await sendOk(await connect(bob), { conversationId: direct, body: 'hi ann' });
    const told = collect<{ reason: string }>(annSocket, 'session:expired');
    const bobSocket = await connect(bob);
    const deleted = collect<{ id: string; body: string }>(bobSocket, 'message:deleted');

    await deleteAccount(ann, PASSWORD).expect(204);

    await waitFor(() => annSocket.disconnected);
    expect(told).toEqual([{ reason: 'account-deleted' }]);
    const refused = await http().get('/api/users/me').set(bearer(ann));
    expect(refused.status).toBe(401);
    await http()
      .post('/api/auth/login')
      .send({ username: ann.username, password: PASSWORD })
      .expect(401);
    // Bob's side: both of ann's messages deleted (heard live), his own kept.
    await waitFor(() => deleted.length === 2);
    const history = await getHistory(suite.app, bob, direct);
    expect(history.items.map((m) => [m.id, m.body, m.deletedAt !== null])).toEqual([
      [toBob.id, '', true],
      [bobsReply.id, 'hi ann', false],
    ]);
    expect((await getHistory(suite.app, bob, crew)).items.map((m) => m.body)).toEqual(['']);
    // The group goes on, owned by its admin; the direct conversation stays for bob.
    const view = await conversation(bob, crew);
    expect(view.memberIds).toEqual([bob.id, cat.id]);
    expect(view.members.find((member) => member.userId === cat.id)?.role).toBe('owner');
    expect((await conversation(bob, direct)).memberIds).toContain(ann.id);
    // Shown as deleted, not found by search; the username stays taken for a while.
    const profile = await http().get(`/api/users/${ann.id}`).set(bearer(bob)).expect(200);
    expect(profile.body.displayName).toBe('Deleted user');
    const search = await http().get(`/api/users?q=${ann.username}`).set(bearer(bob)).expect(200);
    expect(search.body).toEqual([]);
    await http()
      .post('/api/auth/register')
      .send({ username: ann.username, password: PASSWORD })
      .expect(409);
  });

  it('frees the username 30 days after the deletion', async () => {
    const [old] = await users(1);
    await deleteAccount(old, PASSWORD).expect(204);
    const collection = suite.app.app.get<Connection>(getConnectionToken()).collection('users');
    await collection.updateOne(
      { username: old.username },
      { $set: { deletedAt: new Date(Date.now() - 31 * 24 * 3600 * 1000) } },
    );
    const fresh = await http()
      .post('/api/auth/register')
      .send({ username: old.username, password: PASSWORD })
      .expect(201);
    expect(fresh.body.user.id).not.toBe(old.id);
    // The old account keeps a name no one can register, shown as deleted.
    const token = fresh.body.accessToken as string;
    const profile = await http()
      .get(`/api/users/${old.id}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(profile.body).toMatchObject({
      username: `deleted-${old.id}`,
      displayName: 'Deleted user',
    });
  });

  it('exports the profile, conversations and own messages as NDJSON, nothing of anyone else', async () => {
    const [ann, bob] = await users(2);
    const direct = await directConversation(suite.app, ann, bob);
    const socket = await connect(ann);
    await sendOk(socket, { conversationId: direct, body: 'first' });
    await sendOk(socket, { conversationId: direct, body: 'second' });
    await sendOk(await connect(bob), { conversationId: direct, body: 'from bob' });

    const response = await http().get('/api/users/me/export').set(bearer(ann)).expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="chat-export-/);
    const lines = response.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ExportLine);
    expect(lines.map((line) => line.type)).toEqual(['user', 'conversation', 'message', 'message']);
    expect(lines[0]).toMatchObject({ type: 'user', user: { id: ann.id, username: ann.username } });
    expect(lines[1]).toMatchObject({ type: 'conversation', conversation: { id: direct } });
    expect(lines.slice(2).map((line) => line.type === 'message' && line.message.body)).toEqual([
      'first',
      'second',
    ]);
    // Messages are the user's own (a conversation line shows it as the user sees it).
    expect(lines.every((line) => line.type !== 'message' || line.message.senderId === ann.id)).toBe(
      true,
    );
    expect(response.text).not.toMatch(/passwordHash|argon/);
    await http().get('/api/users/me/export').expect(401);
  });
});
