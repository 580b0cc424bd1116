import { grantAdmin } from '../support/cli';
import { bearer, registerUser, uniqueName, useTestApp, type TestUser } from '../support/test-app';
import { ScenarioTally } from './support/report';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** A route, with the ids of the scenario's own app, group and user filled in. */
type Route = [string, Method, (ids: Ids) => string, ((ids: Ids) => object) | null];

interface Ids {
  app: string;
  keyId: string;
  group: string;
  userId: string;
  botUserId: string;
  externalId: string;
}

/**
 * The authorization matrix of apps and keys: every admin route tried by a plain user and by a
 * key, every key route by user tokens (an instance admin's too) and by a key without the scope,
 * every user route a key has no scope for by a key, and another app's key on this app's users
 * and groups. Each must be refused with the contract's code, and nothing may change.
 */
describe('authorization matrix: apps and keys', () => {
  const suite = useTestApp();
  const tally = new ScenarioTally(
    'Authorization matrix: apps and keys',
    'Every admin route (9) tried by a plain user and by an API key; every key route (6) by a ' +
      'user, by an instance admin and by a key lacking its scope; the user-only routes (12) by a ' +
      'key with every scope; the key routes with another app’s key on this app’s users and groups. ' +
      'A case fails if the answer is not FORBIDDEN (404 NOT_FOUND for another app’s ids, as for ' +
      'a missing one), or if the apps, keys, members or sessions changed.',
    'cases allowed or that changed something',
  );
  afterAll(() => tally.record());
  const http = () => suite.app.http();
  const asKey = (key: string) => ({ Authorization: `Bearer ${key}` });
  let admin: TestUser;
  let plain: TestUser;
  let owned: TestUser;
  let keys: { all: string; readOnly: string; other: string };
  let ids: Ids;

  beforeAll(async () => {
    admin = await registerUser(suite.app, 'kadmin');
    plain = await registerUser(suite.app, 'kplain');
    grantAdmin(admin.username);
    const make = async (scopes?: string[]) =>
      (
        await http()
          .post('/api/apps')
          .set(bearer(admin))
          .send({ name: uniqueName('Matrix'), ...(scopes ? { scopes } : {}) })
          .expect(201)
      ).body as { app: { id: string; botUserId: string; keys: { id: string }[] }; key: string };
    const mine = await make();
    const readOnly = await http()
      .post(`/api/apps/${mine.app.id}/keys`)
      .set(bearer(admin))
      .send({ scopes: ['events:read'] })
      .expect(201);
    const other = await make();
    keys = { all: mine.key, readOnly: readOnly.body.key as string, other: other.key };
    const externalId = uniqueName('ext');
    const user = await http()
      .put(`/api/apps/users/${externalId}`)
      .set(asKey(keys.all))
      .send({ username: uniqueName('owned') })
      .expect(201);
    const session = await http()
      .post(`/api/apps/users/${externalId}/sessions`)
      .set(asKey(keys.all))
      .expect(201);
    owned = {
      id: user.body.id as string,
      username: user.body.username as string,
      token: session.body.accessToken as string,
    };
    const group = await http()
      .post('/api/apps/conversations')
      .set(asKey(keys.all))
      .send({ type: 'group', title: 'Matrix', memberIds: [owned.id, mine.app.botUserId] })
      .expect(201);
    ids = {
      app: mine.app.id,
      keyId: mine.app.keys[0].id,
      group: group.body.id as string,
      userId: owned.id,
      botUserId: mine.app.botUserId,
      externalId,
    };
  });

  /** Apps, keys, the group's members and the owned user's session, as they stand. */
  const state = async (): Promise<unknown> => {
    const apps = await http().get('/api/apps').set(bearer(admin)).expect(200);
    const group = await http().get(`/api/conversations/${ids.group}`).set(bearer(owned));
    const me = await http().get('/api/users/me').set(bearer(owned));
    return {
      apps: (apps.body as { id: string; name: string; keys: { id: string }[] }[]).map((app) => ({
        id: app.id,
        name: app.name,
        keys: app.keys.map((key) => key.id),
      })),
      members: (group.body as { memberIds?: string[] }).memberIds?.sort(),
      signedIn: me.status,
    };
  };

  const call = (route: Route, authorization: Record<string, string>) => {
    const [, method, path, body] = route;
    const request = http()[method](path(ids)).set(authorization);
    return body ? request.send(body(ids)) : request;
  };

  const expectRefused = async (
    route: Route,
    authorization: Record<string, string>,
    status: number,
    code: string,
  ): Promise<void> => {
    const before = await state();
    const answer = await call(route, authorization);
    expect([answer.status, answer.body.error]).toEqual([status, code]);
    expect(await state()).toEqual(before);
  };

  const adminRoutes: Route[] = [
    ['list apps', 'get', () => '/api/apps', null],
    ['create an app', 'post', () => '/api/apps', () => ({ name: 'Sneaky' })],
    ['show an app', 'get', (i) => `/api/apps/${i.app}`, null],
    ['rename an app', 'patch', (i) => `/api/apps/${i.app}`, () => ({ name: 'Taken' })],
    ['delete an app', 'delete', (i) => `/api/apps/${i.app}`, null],
    ['add a key', 'post', (i) => `/api/apps/${i.app}/keys`, () => ({})],
    ['delete a key', 'delete', (i) => `/api/apps/${i.app}/keys/${i.keyId}`, null],
    [
      'replay webhooks',
      'post',
      (i) => `/api/apps/${i.app}/webhook/replay`,
      () => ({ since: new Date(0).toISOString() }),
    ],
    ['list deliveries', 'get', (i) => `/api/apps/${i.app}/deliveries`, null],
  ];

  const keyRoutes: [Route, string][] = [
    [
      [
        'provision a user',
        'put',
        (i) => `/api/apps/users/${i.externalId}`,
        () => ({ username: uniqueName('hijack') }),
      ],
      'users:write',
    ],
    [
      ['sign a user in', 'post', (i) => `/api/apps/users/${i.externalId}/sessions`, null],
      'users:write',
    ],
    [
      ['sign a user out', 'delete', (i) => `/api/apps/users/${i.externalId}/sessions`, null],
      'users:write',
    ],
    [
      [
        'open a conversation',
        'post',
        () => '/api/apps/conversations',
        (i) => ({ type: 'group', title: 'Sneaky', memberIds: [i.userId, i.botUserId] }),
      ],
      'conversations:write',
    ],
    [
      [
        'add a member',
        'post',
        (i) => `/api/apps/conversations/${i.group}/members`,
        (i) => ({ userId: i.userId }),
      ],
      'conversations:write',
    ],
    [
      [
        'remove a member',
        'delete',
        (i) => `/api/apps/conversations/${i.group}/members/${i.userId}`,
        null,
      ],
      'conversations:write',
    ],
  ];

  const userOnlyRoutes: Route[] = [
    [
      'open a direct conversation',
      'post',
      () => '/api/conversations/direct',
      (i) => ({ userId: i.userId }),
    ],
    [
      'create a group',
      'post',
      () => '/api/conversations',
      () => ({ title: 'Sneaky', memberIds: [] }),
    ],
    ['rename a group', 'patch', (i) => `/api/conversations/${i.group}`, () => ({ title: 'Taken' })],
    [
      'add a member',
      'post',
      (i) => `/api/conversations/${i.group}/members`,
      (i) => ({ userId: i.userId }),
    ],
    ['remove a member', 'delete', (i) => `/api/conversations/${i.group}/members/${i.userId}`, null],
    ['mark read', 'post', (i) => `/api/conversations/${i.group}/read`, () => ({ seq: 1 })],
    ['list sessions', 'get', () => '/api/auth/sessions', null],
    ['log out', 'post', () => '/api/auth/logout', () => ({})],
    ['delete the account', 'delete', () => '/api/users/me', () => ({ password: 'x'.repeat(12) })],
    ['export the account', 'get', () => '/api/users/me/export', null],
    ['block a user', 'put', (i) => `/api/users/${i.userId}/block`, null],
    ['upload a file', 'post', () => '/api/files', null],
  ];

  it.each(adminRoutes)('a plain user may not %s', (...route) =>
    tally.run(() => expectRefused(route, bearer(plain), 403, 'FORBIDDEN')),
  );

  it.each(adminRoutes)('an API key may not %s', (...route) =>
    tally.run(() => expectRefused(route, asKey(keys.all), 403, 'FORBIDDEN')),
  );

  it.each(keyRoutes.map(([route]) => route))('a user token may not %s', (...route) =>
    tally.run(async () => {
      await expectRefused(route, bearer(plain), 403, 'FORBIDDEN');
      await expectRefused(route, bearer(admin), 403, 'FORBIDDEN');
    }),
  );

  it.each(keyRoutes)('a key without the scope may not %s', (route, _scope) =>
    tally.run(() => expectRefused(route, asKey(keys.readOnly), 403, 'FORBIDDEN')),
  );

  it.each(userOnlyRoutes)('a key may not %s (no scope reaches it)', (...route) =>
    tally.run(() => expectRefused(route, asKey(keys.all), 403, 'FORBIDDEN')),
  );

  it.each(keyRoutes.filter(([route]) => route[0] !== 'provision a user').map(([route]) => route))(
    'another app’s key may not %s of this app’s, and cannot tell it exists',
    (...route) => tally.run(() => expectRefused(route, asKey(keys.other), 404, 'NOT_FOUND')),
  );

  it('another app provisioning the same external id gets a user of its own', () =>
    tally.run(async () => {
      const before = await state();
      const theirs = await http()
        .put(`/api/apps/users/${ids.externalId}`)
        .set(asKey(keys.other))
        .send({ username: uniqueName('theirs') })
        .expect(201);
      expect(theirs.body.id).not.toBe(ids.userId);
      expect(await state()).toEqual(before);
    }));
});
