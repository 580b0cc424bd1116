import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { ExportLine } from '@nest-chat/protocol';
import { AccountErasures } from '../src/account/account-erasures';
import { conversationHelpers } from './support/conversation-helpers';
import {
  bearer,
  collect,
  connectSocket,
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

  it('nothing signed in during a deletion keeps working, and nobody can start talking to the deleted account', async () => {
    const [ann, bob] = await users(2);
    const direct = await directConversation(suite.app, ann, bob);
    const annSocket = await connect(ann);
    // Enough messages that erasing them takes a while, for sign-ins to race it.
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        sendOk(annSocket, { conversationId: direct, body: `message ${i}` }),
      ),
    );
    let deleting = true;
    const deletion = deleteAccount(ann, PASSWORD)
      .expect(204)
      .then(
        () => (deleting = false),
        (error: unknown) => {
          deleting = false;
          throw error;
        },
      );
    const signIns: { status: number; accessToken?: string; refreshToken?: string }[] = [];
    await Promise.all(
      [0, 1].map(async () => {
        while (deleting) {
          const response = await http()
            .post('/api/auth/login')
            .send({ username: ann.username, password: PASSWORD });
          signIns.push({ status: response.status, ...(response.body as object) });
        }
      }),
    );
    await deletion;
    expect(signIns.length).toBeGreaterThan(0); // the window was there to race
    for (const signIn of signIns.filter((s) => s.accessToken)) {
      await http()
        .get('/api/users/me')
        .set('Authorization', `Bearer ${signIn.accessToken}`)
        .expect(401);
      await http()
        .post('/api/auth/refresh')
        .send({ refreshToken: signIn.refreshToken })
        .expect(401);
      await expect(connectSocket(suite.app, signIn.accessToken)).rejects.toThrow('UNAUTHORIZED');
    }
    expect((await getHistory(suite.app, bob, direct)).items.every((m) => m.body === '')).toBe(true);

    // Bob keeps the direct conversation they had; nobody opens a new one with the account.
    const carol = (await users(1))[0];
    await http()
      .post('/api/conversations/direct')
      .set(bearer(carol))
      .send({ userId: ann.id })
      .expect(404);
    await http()
      .post('/api/conversations')
      .set(bearer(bob))
      .send({ title: 'With a ghost', memberIds: [carol.id, ann.id] })
      .expect(404);
    const crew = await group(bob, [carol]);
    await http()
      .post(`/api/conversations/${crew}/members`)
      .set(bearer(bob))
      .send({ userId: ann.id })
      .expect(404);
    expect((await conversation(bob, crew)).memberIds).toEqual([bob.id, carol.id]);
  });

  it('stays deleted when its sockets come and go as it is deleted (presence writes race it)', async () => {
    const [ann, bob] = await users(2);
    await directConversation(suite.app, ann, bob);
    // Each first connect and last leave records presence; on FerretDB v1 a write to the user
    // document that read it before the deletion's mark would put the account back.
    let deleting = true;
    const churn = (async () => {
      while (deleting) {
        const socket = await connect(ann).catch(() => null);
        socket?.disconnect();
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await deleteAccount(ann, PASSWORD).expect(204);
    deleting = false;
    await churn;
    const collection = suite.app.app.get<Connection>(getConnectionToken()).collection('users');
    const left = await collection.findOne({ username: ann.username });
    expect([left?.deletedAt instanceof Date, left?.passwordHash, left?.erasingUntil]).toEqual([
      true,
      '',
      null,
    ]);
    await http()
      .post('/api/auth/login')
      .send({ username: ann.username, password: PASSWORD })
      .expect(401);
  });

  it('a deletion whose process died half-way is finished by the sweep', async () => {
    const [ann, bob] = await users(2);
    const direct = await directConversation(suite.app, ann, bob);
    await sendOk(await connect(ann), { conversationId: direct, body: 'erase me' });
    // As if the process had marked the account and died before erasing anything.
    const collection = suite.app.app.get<Connection>(getConnectionToken()).collection('users');
    await collection.updateOne(
      { username: ann.username },
      { $set: { deletedAt: new Date(), passwordHash: '', erasingUntil: new Date(Date.now() - 1) } },
    );
    await http().get('/api/users/me').set(bearer(ann)).expect(200); // its session still lives
    // This app's sweep finishes it, unless another app on the test database claimed it first
    // and is still erasing it: sweep until it is finished, whoever finishes it.
    const erasures = suite.app.app.get(AccountErasures);
    await waitFor(async () => {
      await erasures.sweep();
      return (await collection.findOne({ username: ann.username }))?.erasingUntil === null;
    }, 20_000);
    await http().get('/api/users/me').set(bearer(ann)).expect(401);
    expect((await getHistory(suite.app, bob, direct)).items.map((m) => m.body)).toEqual(['']);
    const left = await collection.findOne({ username: ann.username });
    expect(left?.erasingUntil).toBeNull();
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

  it('reserves the names deleted accounts keep; a clash with one is a 409, never a 500', async () => {
    const reserved = await http()
      .post('/api/auth/register')
      .send({ username: 'deleted-0123456789abcdef01234567', password: PASSWORD });
    expect([reserved.status, reserved.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    expect(reserved.body.message).toMatch(/reserved/);
    // An account that took such a name before it was reserved.
    const [old] = await users(1);
    const collection = suite.app.app.get<Connection>(getConnectionToken()).collection('users');
    await collection.insertOne({
      username: `deleted-${old.id}`,
      displayName: 'squatter',
      passwordHash: 'x',
      deletedAt: null,
    });
    await deleteAccount(old, PASSWORD).expect(204);
    await collection.updateOne(
      { username: old.username },
      { $set: { deletedAt: new Date(Date.now() - 31 * 24 * 3600 * 1000) } },
    );
    const clash = await http()
      .post('/api/auth/register')
      .send({ username: old.username, password: PASSWORD });
    expect([clash.status, clash.body.error]).toEqual([409, 'CONFLICT']);
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
