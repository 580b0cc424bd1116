import { MongoClient } from 'mongodb';
import { io } from 'socket.io-client';
import { grantAdmin, runCli } from './support/cli';
import { conversationHelpers } from './support/conversation-helpers';
import {
  bearer,
  collect,
  registerUser,
  uniqueName,
  useTestApp,
  waitFor,
  type TestUser,
} from './support/test-app';

interface CreatedApp {
  app: { id: string; botUserId: string; scopes: string[]; keys: { id: string }[] };
  key: string;
  webhookSecret?: string;
}

/** Instance admins, apps with API keys and bots, and what a key may and may not reach. */
describe('apps, API keys and bots', () => {
  const suite = useTestApp();
  const { connect } = conversationHelpers(suite);
  const http = () => suite.app.http();
  const asKey = (key: string) => ({ Authorization: `Bearer ${key}` });
  let admin: TestUser;

  beforeAll(async () => {
    admin = await registerUser(suite.app, 'admin');
    grantAdmin(admin.username);
  });

  const createApp = async (body: Record<string, unknown> = {}): Promise<CreatedApp> =>
    (
      await http()
        .post('/api/apps')
        .set(bearer(admin))
        .send({ name: uniqueName('App'), ...body })
        .expect(201)
    ).body as CreatedApp;

  /** Users the app provisioned (its own), each with the external id `ext-<username>`. */
  const provisioned = async (key: string, count: number): Promise<TestUser[]> => {
    const made: TestUser[] = [];
    for (let i = 0; i < count; i++) {
      const username = uniqueName('prov');
      const answer = await http()
        .put(`/api/apps/users/ext-${username}`)
        .set(asKey(key))
        .send({ username })
        .expect(201);
      made.push({ id: answer.body.id as string, username, token: '' });
    }
    return made;
  };
  const signIn = async (key: string, user: TestUser): Promise<string> =>
    (await http().post(`/api/apps/users/ext-${user.username}/sessions`).set(asKey(key)).expect(201))
      .body.accessToken as string;

  describe('the command line', () => {
    it('grants and revokes instance admin, and says why it cannot', async () => {
      const user = await registerUser(suite.app, 'op');
      await http().get('/api/apps').set(bearer(user)).expect(403);

      const missing = runCli('users:grant-admin', 'nobody_by_that_name');
      expect(missing.status).not.toBe(0);
      expect(missing.stderr.trim().split('\n')).toEqual([
        'error: No user is named nobody_by_that_name',
      ]);

      const granted = runCli('users:grant-admin', user.username);
      expect(granted.status).toBe(0);
      await http().get('/api/apps').set(bearer(user)).expect(200);
      const me = await http().get('/api/users/me').set(bearer(user)).expect(200);
      expect(me.body.role).toBe('admin');

      expect(runCli('users:revoke-admin', user.username).status).toBe(0);
      // Read on every request: the revoke holds at once, with the same token.
      await http().get('/api/apps').set(bearer(user)).expect(403);
    });

    it('creates an app and prints its key once; the key works', async () => {
      const name = uniqueName('Cli App');
      const made = runCli('apps:create', name, '--scopes', 'events:read');
      expect(made.status).toBe(0);
      const key = /key \(shown once\): (chk_\S+)/.exec(made.stdout)?.[1];
      expect(key).toBeDefined();
      const me = await http().get('/api/users/me').set(asKey(key!)).expect(200);
      expect(me.body).toMatchObject({ bot: true, displayName: name });

      const refused = runCli('apps:create', 'x', '--scopes', 'bogus');
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/^error: .*scopes/);
    });
  });

  describe('admin routes', () => {
    it('an app has a bot user, a key kept only as a hash, and rotates keys', async () => {
      const { app, key } = await createApp();
      expect(key).toMatch(/^chk_[0-9a-f]{24}_[\w-]{43}$/);
      expect(app.scopes.sort()).toEqual(
        ['conversations:write', 'events:read', 'messages:write', 'users:write'].sort(),
      );
      const bot = await http().get(`/api/users/${app.botUserId}`).set(bearer(admin)).expect(200);
      expect(bot.body).toMatchObject({ bot: true, role: 'user' });

      const client = await MongoClient.connect(process.env.MONGODB_URI!);
      try {
        const stored = await client.db().collection('app_keys').find({}).toArray();
        // The secret is all after the id (base64url, so it may hold `_` itself).
        const secret = key.slice('chk_'.length + 24 + 1);
        expect(secret).toHaveLength(43);
        expect(JSON.stringify(stored)).not.toContain(secret);
      } finally {
        await client.close();
      }

      const second = await http()
        .post(`/api/apps/${app.id}/keys`)
        .set(bearer(admin))
        .send({ scopes: ['events:read'] })
        .expect(201);
      await http().get('/api/users/me').set(asKey(second.body.key)).expect(200);
      // The old key works until it is deleted, then not at all.
      await http().get('/api/users/me').set(asKey(key)).expect(200);
      await http()
        .delete(`/api/apps/${app.id}/keys/${app.keys[0].id}`)
        .set(bearer(admin))
        .expect(204);
      await http().get('/api/users/me').set(asKey(key)).expect(401);
      await http().get('/api/users/me').set(asKey(second.body.key)).expect(200);

      // A key may not have more than its app.
      await http()
        .post(`/api/apps/${app.id}/keys`)
        .set(bearer(admin))
        .send({ scopes: ['bogus'] })
        .expect(400);
      const listed = await http().get(`/api/apps/${app.id}`).set(bearer(admin)).expect(200);
      expect(listed.body.keys).toHaveLength(1);

      await http().delete(`/api/apps/${app.id}`).set(bearer(admin)).expect(204);
      await http().get('/api/users/me').set(asKey(second.body.key)).expect(401);
      await http().get(`/api/apps/${app.id}`).set(bearer(admin)).expect(404);
    });

    it('refuses bad input with a clear error and stores nothing', async () => {
      const name = uniqueName('Bad');
      const cases: unknown[] = [
        { name },
        { name: '', scopes: [] },
        { name, scopes: ['everything'] },
        { name, webhook: { url: 'ftp://example.com/x' } },
        { name, webhook: { url: 'not a url' } },
        { name, webhook: { url: 'http://user:pw@example.com/' } },
        { name, webhook: { url: 'https://example.com/', events: ['nope'] } },
        { name, webhook: { url: 'https://example.com/', scope: 'everyone' } },
        { name, extra: true },
      ];
      for (const body of cases.slice(1)) {
        const response = await http()
          .post('/api/apps')
          .set(bearer(admin))
          .send(body as object);
        expect([response.status, response.body.error]).toEqual([400, 'VALIDATION_FAILED']);
      }
      const apps = await http().get('/api/apps').set(bearer(admin)).expect(200);
      expect((apps.body as { name: string }[]).some((app) => app.name === name)).toBe(false);
      // The name is still free: nothing half-made took its bot's username.
      const made = await http()
        .post('/api/apps')
        .set(bearer(admin))
        .send(cases[0] as object)
        .expect(201);
      // A change is validated as a creation is, and changes nothing when refused.
      const id = made.body.app.id as string;
      for (const body of [
        { name: '' },
        { scopes: ['everything'] },
        { webhook: { url: 'ftp://example.com/x' } },
        { webhook: { status: 'disabled' } },
        { webhook: { events: ['nope'] } },
        { extra: true },
      ]) {
        const response = await http().patch(`/api/apps/${id}`).set(bearer(admin)).send(body);
        expect([response.status, response.body.error]).toEqual([400, 'VALIDATION_FAILED']);
      }
      const after = await http().get(`/api/apps/${id}`).set(bearer(admin)).expect(200);
      expect(after.body).toMatchObject({ name, scopes: made.body.app.scopes });
      expect(after.body.webhook).toBeUndefined();
    });
  });

  describe('who reaches what', () => {
    it('keys reach only routes marked for them and their scopes; users never reach key routes', async () => {
      const reader = await createApp({ scopes: ['events:read'] });
      const full = await createApp();
      const user = await registerUser(suite.app);
      const cases: [string, string, Record<string, string>, number][] = [
        ['post', '/api/conversations', asKey(full.key), 403], // users only
        ['get', '/api/auth/sessions', asKey(full.key), 403],
        ['get', '/api/apps', asKey(full.key), 403], // admins only, never keys
        ['put', '/api/apps/users/ext-1', asKey(reader.key), 403], // scope missing
        ['post', '/api/apps/conversations', asKey(reader.key), 403],
        ['put', '/api/apps/users/ext-1', bearer(user), 403], // keys only
        ['post', '/api/apps/conversations', bearer(admin), 403],
        ['get', '/api/users/me', asKey(`${full.key.slice(0, -4)}AAAA`), 401], // tampered
        ['get', '/api/users/me', asKey('chk_nonsense'), 401],
      ];
      for (const [method, path, headers, status] of cases) {
        const response = await http()[method as 'get'](path).set(headers).send({});
        expect({ path, status: response.status }).toEqual({ path, status });
        expect(response.body.error).toBe(status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN');
      }
    });

    it('answers with RateLimit headers per key', async () => {
      const { key } = await createApp();
      const first = await http().get('/api/users/me').set(asKey(key)).expect(200);
      const second = await http().get('/api/users/me').set(asKey(key)).expect(200);
      expect(Number(first.headers['ratelimit-limit'])).toBeGreaterThan(0);
      expect(Number(second.headers['ratelimit-remaining'])).toBe(
        Number(first.headers['ratelimit-remaining']) - 1,
      );
      expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(0);
    });
  });

  describe('provisioning and bots', () => {
    it("creates and updates users by the host's ids and signs them in without a password", async () => {
      const { key } = await createApp();
      const other = await createApp();
      const externalId = `ext:${uniqueName()}`;
      const username = uniqueName('p');
      const put = (body: object, using = key) =>
        http()
          .put(`/api/apps/users/${encodeURIComponent(externalId)}`)
          .set(asKey(using))
          .send(body);

      const created = await put({ username }).expect(201);
      expect(created.body).toMatchObject({ username, displayName: username, bot: false });
      const updated = await put({ username, displayName: 'Pat' }).expect(200);
      expect(updated.body).toMatchObject({ id: created.body.id, displayName: 'Pat' });
      // Another app's id of the same name is another user: the username is then taken.
      expect((await put({ username }, other.key)).body.error).toBe('CONFLICT');
      await http()
        .put('/api/apps/users/bad%20id')
        .set(asKey(key))
        .send({ username: uniqueName() })
        .expect(400);

      const session = await http()
        .post(`/api/apps/users/${encodeURIComponent(externalId)}/sessions`)
        .set(asKey(key))
        .expect(201);
      const signedIn = { id: created.body.id, username, token: session.body.accessToken as string };
      const me = await http().get('/api/users/me').set(bearer(signedIn)).expect(200);
      expect(me.body.id).toBe(created.body.id);
      const socket = await connect(signedIn);
      expect(socket.connected).toBe(true);
      // No password was ever set: a sign-in with one fails like a wrong one.
      const login = await http()
        .post('/api/auth/login')
        .send({ username, password: 'x'.repeat(12) });
      expect([login.status, login.body.error]).toEqual([401, 'UNAUTHORIZED']);
      // Another app cannot sign in this app's user.
      await http()
        .post(`/api/apps/users/${encodeURIComponent(externalId)}/sessions`)
        .set(asKey(other.key))
        .expect(404);

      await http()
        .delete(`/api/apps/users/${encodeURIComponent(externalId)}/sessions`)
        .set(asKey(key))
        .expect(204);
      await http().get('/api/users/me').set(bearer(signedIn)).expect(401);
      await waitFor(() => !socket.connected, 3000);
    });

    it('acts only for its own users: anyone else is answered as if they did not exist', async () => {
      const { app, key } = await createApp();
      const other = await createApp();
      const [mine, alsoMine] = await provisioned(key, 2);
      const [theirs] = await provisioned(other.key, 1);
      const stranger = await registerUser(suite.app);
      const open = (memberIds: string[], as = key) =>
        http()
          .post('/api/apps/conversations')
          .set(asKey(as))
          .send({ type: 'group', title: 'Mixed', memberIds });
      for (const memberIds of [
        [mine.id, stranger.id],
        [stranger.id, mine.id],
        [mine.id, theirs.id],
        [mine.id, '0123456789abcdef01234567'],
      ]) {
        const refused = await open(memberIds).expect(404);
        expect(refused.body.error).toBe('NOT_FOUND');
      }
      await http()
        .post('/api/apps/conversations')
        .set(asKey(key))
        .send({ type: 'direct', memberIds: [mine.id, stranger.id] })
        .expect(404);
      const strangers = await http()
        .post('/api/conversations')
        .set(bearer(stranger))
        .send({ title: 'Private', memberIds: [] })
        .expect(201);
      const ours = (await open([mine.id, app.botUserId]).expect(201)).body.id as string;
      const cases: [string, string, string][] = [
        // Another's group: neither add nor remove, not even of the app's own users.
        [strangers.body.id as string, alsoMine.id, key],
        [strangers.body.id as string, stranger.id, key],
        // The app's group: no one else's users, and not by another app.
        [ours, stranger.id, key],
        [ours, theirs.id, key],
        [ours, alsoMine.id, other.key],
      ];
      for (const [conversation, userId, as] of cases) {
        await http()
          .post(`/api/apps/conversations/${conversation}/members`)
          .set(asKey(as))
          .send({ userId })
          .expect(404);
      }
      await http()
        .delete(`/api/apps/conversations/${strangers.body.id as string}/members/${stranger.id}`)
        .set(asKey(key))
        .expect(404);
      await http()
        .delete(`/api/apps/conversations/${ours}/members/${app.botUserId}`)
        .set(asKey(other.key))
        .expect(404);
      // Nothing changed in either group.
      const members = async (id: string, user: TestUser) =>
        (
          (await http().get(`/api/conversations/${id}`).set(bearer(user)).expect(200)).body
            .memberIds as string[]
        ).sort();
      expect(await members(strangers.body.id as string, stranger)).toEqual([stranger.id]);
      const asMine = { ...mine, token: await signIn(key, mine) };
      expect(await members(ours, asMine)).toEqual([mine.id, app.botUserId].sort());
    });

    it('opens conversations on behalf of users; the bot sends idempotently, stored before seen', async () => {
      const { app, key } = await createApp();
      const [a, b, c] = await provisioned(key, 3);
      const opened = await http()
        .post('/api/apps/conversations')
        .set(asKey(key))
        .send({ type: 'group', title: 'Support', memberIds: [a.id, b.id, app.botUserId] })
        .expect(201);
      expect(opened.body.members).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ userId: a.id, role: 'owner' }),
          expect.objectContaining({ userId: app.botUserId, role: 'member' }),
        ]),
      );
      const id = opened.body.id as string;
      const direct = await http()
        .post('/api/apps/conversations')
        .set(asKey(key))
        .send({ type: 'direct', memberIds: [a.id, c.id] })
        .expect(201);
      expect((direct.body.memberIds as string[]).sort()).toEqual([a.id, c.id].sort());
      await http()
        .post('/api/apps/conversations')
        .set(asKey(key))
        .send({ type: 'direct', memberIds: [a.id, b.id, c.id] })
        .expect(400);

      await http()
        .post(`/api/apps/conversations/${id}/members`)
        .set(asKey(key))
        .send({ userId: c.id })
        .expect(204);
      const socket = await connect({ ...b, token: await signIn(key, b) });
      const seen = collect<{ id: string; senderId: string }>(socket, 'message:new');
      const send = () =>
        http()
          .post(`/api/conversations/${id}/messages`)
          .set(asKey(key))
          .send({ body: 'How can I help?', clientMsgId: 'bot-1' });
      const first = await send().expect(201);
      const again = await send().expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(first.body.id);
      expect(first.body.senderId).toBe(app.botUserId);
      await waitFor(() => seen.length >= 1);
      const history = await http()
        .get(`/api/conversations/${id}/messages`)
        .set(asKey(key))
        .expect(200);
      expect((history.body.items as { id: string }[]).map((m) => m.id)).toEqual([first.body.id]);
      expect(seen.map((m) => m.id)).toEqual([first.body.id]);

      await http()
        .patch(`/api/messages/${first.body.id}`)
        .set(asKey(key))
        .send({ body: 'Hello!' })
        .expect(200);
      const changes = await http()
        .get(`/api/conversations/${id}/changes?afterRev=0`)
        .set(asKey(key))
        .expect(200);
      expect(
        (changes.body.items as { kind: string; actorId: string }[]).map((item) => [
          item.kind,
          item.actorId,
        ]),
      ).toEqual([
        ['member:joined', a.id], // on the owner's behalf
        ['message:updated', app.botUserId],
      ]);

      await http()
        .delete(`/api/apps/conversations/${id}/members/${c.id}`)
        .set(asKey(key))
        .expect(204);
      // The bot reaches only conversations it is in.
      await http().get(`/api/conversations/${direct.body.id}/messages`).set(asKey(key)).expect(404);
      await http()
        .post(`/api/conversations/${direct.body.id}/messages`)
        .set(asKey(key))
        .send({ body: 'hi' })
        .expect(404);
    });

    it('refuses a key on the socket', async () => {
      const { key } = await createApp();
      const socket = io(`${suite.app.url}/chat`, {
        auth: { token: key },
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
      });
      const message = await new Promise<string>((resolve) =>
        socket.once('connect_error', (error) => resolve(error.message)),
      );
      socket.close();
      expect(message).toBe('UNAUTHORIZED');
    });
  });
});
