import sharp from 'sharp';
import type { Socket } from 'socket.io-client';
import {
  ack,
  bearer,
  collect,
  getHistory,
  registerUser,
  sendOk,
  settle,
  useTestApp,
  TestApp,
  TestUser,
} from '../support/test-app';
import type { WireMessage } from '../support/wire';
import { ScenarioTally } from './support/report';

/** Ids of the right shape that name nothing. */
const MISSING_CONVERSATION = '0123456789abcdef01234567';
const MISSING_MESSAGE = '76543210fedcba9876543210';
const MISSING_FILE = 'fedcba987654321001234567';

/**
 * The authorization matrix: every conversation route and event, tried by a stranger (not a
 * member) and, where it applies, by a member who is not the sender. A stranger's answer must be
 * the very answer for an id that does not exist, nothing may change, and no member may hear of it.
 */
describe('authorization matrix', () => {
  const suite = useTestApp();
  const tally = new ScenarioTally(
    'Authorization matrix',
    'Every conversation, message and file route (18) and socket event (9) tried by a non-member, a ' +
      'reply quoting a message of a conversation one is not in, edit and delete by a member ' +
      'who is not the sender (REST and socket.io), what only admins may do (add, remove, rename, ' +
      'pin, unpin, change a role, delete another’s message) by a plain member, and what only the ' +
      'owner may do (change a role, remove the owner or an admin) by an admin. A case fails if ' +
      'a stranger’s answer differs from the one for an id that does not exist, if anything ' +
      'changed (history, reactions, pins, members, roles, read pointer), or if any member heard of it.',
    'cases that leaked, changed something or were allowed',
  );
  afterAll(() => tally.record());
  let t: TestApp;
  let [creator, member, admin, stranger]: TestUser[] = [];
  let conversation: string;
  let message: WireMessage;
  /** An image the message carries: its bytes and thumbnail are for members only. */
  let file: string;
  let events: Record<string, unknown[]>[];

  beforeAll(async () => {
    t = suite.app;
    [creator, member, admin, stranger] = [
      await registerUser(t),
      await registerUser(t),
      await registerUser(t),
      await registerUser(t),
    ];
    const created = await t
      .http()
      .post('/api/conversations')
      .set(bearer(creator))
      .send({ title: 'private', memberIds: [member.id, admin.id] })
      .expect(201);
    conversation = created.body.id as string;
    await t
      .http()
      .patch(`/api/conversations/${conversation}/members/${admin.id}`)
      .set(bearer(creator))
      .send({ role: 'admin' })
      .expect(200);
    const image = await sharp({
      create: { width: 64, height: 48, channels: 3, background: { r: 0, g: 0, b: 0 } },
    })
      .png()
      .toBuffer();
    const uploaded = await t
      .http()
      .post('/api/files')
      .set(bearer(creator))
      .attach('file', image, 'photo.png')
      .expect(201);
    file = uploaded.body.id as string;
    message = await sendOk(await suite.connect(creator), {
      conversationId: conversation,
      body: 'x',
      attachments: [file],
    });
    // Members may read both: a stranger's 404 below is the check, not an accident.
    await t.http().get(`/api/files/${file}`).set(bearer(member)).expect(200);
    await t.http().get(`/api/files/${file}/thumbnail`).set(bearer(member)).expect(200);
  });

  /** Everything the members' sockets receive from here on. */
  const listen = async (): Promise<void> => {
    const sockets = [await suite.connect(creator), await suite.connect(member)];
    const names = [
      'message:new',
      'message:updated',
      'message:deleted',
      'conversation:updated',
      'read',
      'typing',
    ];
    events = sockets.map((socket) =>
      Object.fromEntries(names.map((name) => [name, collect(socket, name)])),
    );
  };

  const unchanged = async (): Promise<void> => {
    await settle();
    expect(events.flatMap((perSocket) => Object.values(perSocket).flat())).toEqual([]);
    const history = await getHistory(t, creator, conversation);
    expect(history.items).toEqual([message]);
    const view = await t
      .http()
      .get(`/api/conversations/${conversation}`)
      .set(bearer(creator))
      .expect(200);
    expect(view.body.memberIds).toEqual([creator.id, member.id, admin.id]);
    expect(view.body.title).toBe('private');
    expect(
      (view.body.members as { role: string }[]).map((entry: { role: string }) => entry.role),
    ).toEqual(['owner', 'member', 'admin']);
    expect(view.body.pinnedMessageIds).toEqual([]);
    const memberView = await t
      .http()
      .get(`/api/conversations/${conversation}`)
      .set(bearer(member))
      .expect(200);
    expect(memberView.body.lastReadSeq).toBe(0);
  };

  type Method = 'get' | 'post' | 'patch' | 'delete' | 'put';
  // Every row has all four entries: jest takes a shorter row's missing last argument for `done`.
  type Route = [string, Method, (c: string, m: string, f: string) => string, (() => object) | null];
  const restRoutes: Route[] = [
    ['show a conversation', 'get', (c) => `/api/conversations/${c}`, null],
    ['read history', 'get', (c) => `/api/conversations/${c}/messages`, null],
    ['send', 'post', (c) => `/api/conversations/${c}/messages`, () => ({ body: 'intruder' })],
    ['mark read', 'post', (c) => `/api/conversations/${c}/read`, () => ({ seq: 1 })],
    [
      'add oneself',
      'post',
      (c) => `/api/conversations/${c}/members`,
      () => ({ userId: stranger.id }),
    ],
    ['remove a member', 'delete', (c) => `/api/conversations/${c}/members/${member.id}`, null],
    ['read the changes', 'get', (c) => `/api/conversations/${c}/changes?afterRev=0`, null],
    ['read the receipts', 'get', (c) => `/api/conversations/${c}/reads`, null],
    ['rename', 'patch', (c) => `/api/conversations/${c}`, () => ({ title: 'taken over' })],
    ['edit a message', 'patch', (_, m) => `/api/messages/${m}`, () => ({ body: 'defaced' })],
    ['delete a message', 'delete', (_, m) => `/api/messages/${m}`, null],
    ['react', 'put', (_, m) => `/api/messages/${m}/reactions/%F0%9F%91%8D`, null],
    ['unreact', 'delete', (_, m) => `/api/messages/${m}/reactions/%F0%9F%91%8D`, null],
    ['pin', 'put', (_, m) => `/api/messages/${m}/pin`, null],
    ['unpin', 'delete', (_, m) => `/api/messages/${m}/pin`, null],
    [
      'change a role',
      'patch',
      (c) => `/api/conversations/${c}/members/${member.id}`,
      () => ({ role: 'admin' }),
    ],
    ['download a file sent there', 'get', (_c, _m, f) => `/api/files/${f}`, null],
    ['see its thumbnail', 'get', (_c, _m, f) => `/api/files/${f}/thumbnail`, null],
  ];

  it.each(restRoutes)(
    'REST: a stranger may not %s, and cannot tell it exists',
    (_name, method, path, body) =>
      tally.run(async () => {
        await listen();
        const request = (c: string, m: string, f: string) => {
          const call = t
            .http()
            [method](path(c, m, f))
            .set(bearer(stranger));
          return body ? call.send(body()) : call;
        };
        const hidden = await request(conversation, message.id, file);
        const missing = await request(MISSING_CONVERSATION, MISSING_MESSAGE, MISSING_FILE);
        expect(hidden.status).toBe(404);
        expect(hidden.body).toEqual(missing.body);
        await unchanged();
      }),
  );

  const socketEvents: [string, (c: string, m: string) => object][] = [
    ['message:send', (c) => ({ conversationId: c, body: 'intruder' })],
    ['message:edit', (_, m) => ({ messageId: m, body: 'defaced' })],
    ['message:delete', (_, m) => ({ messageId: m })],
    ['read', (c) => ({ conversationId: c, seq: 1 })],
    ['sync', (c) => ({ conversationId: c, afterSeq: 0 })],
    ['changes', (c) => ({ conversationId: c, afterRev: 0 })],
    ['delivered', (c) => ({ conversationId: c, seq: 1 })],
    ['reaction', (_, m) => ({ messageId: m, emoji: '👍', on: true })],
    ['typing', (c) => ({ conversationId: c, typing: true })],
  ];

  it.each(socketEvents)(
    'socket.io: a stranger’s %s is refused exactly as for a missing id',
    (event, payload) =>
      tally.run(async () => {
        await listen();
        const socket: Socket = await suite.connect(stranger);
        const hidden = await ack(socket, event, payload(conversation, message.id));
        const missing = await ack(socket, event, payload(MISSING_CONVERSATION, MISSING_MESSAGE));
        expect(hidden).toEqual({
          ok: false,
          error: { code: 'NOT_FOUND', message: expect.any(String) },
        });
        expect(hidden).toEqual(missing);
        expect(socket.connected).toBe(true);
        await unchanged();
      }),
  );

  it('a stranger cannot quote a message of a conversation they are not in, nor tell it exists', () =>
    tally.run(async () => {
      await listen();
      const own = await t
        .http()
        .post('/api/conversations/direct')
        .set(bearer(stranger))
        .send({ userId: (await registerUser(t)).id })
        .expect(200);
      const socket = await suite.connect(stranger);
      const send = (replyToId: string) =>
        ack(socket, 'message:send', { conversationId: own.body.id, body: 'quote', replyToId });
      const hidden = await send(message.id);
      expect(hidden).toEqual({
        ok: false,
        error: { code: 'NOT_FOUND', message: expect.any(String) },
      });
      expect(hidden).toEqual(await send(MISSING_MESSAGE));
      expect((await getHistory(t, stranger, own.body.id)).items).toEqual([]);
      await unchanged();
    }));

  it('a member who is not the sender may not edit or delete, over REST or socket.io', () =>
    tally.run(async () => {
      await listen();
      const patch = await t
        .http()
        .patch(`/api/messages/${message.id}`)
        .set(bearer(member))
        .send({ body: 'not mine' });
      const remove = await t.http().delete(`/api/messages/${message.id}`).set(bearer(member));
      expect([patch.status, patch.body.error, remove.status, remove.body.error]).toEqual([
        403,
        'FORBIDDEN',
        403,
        'FORBIDDEN',
      ]);
      const socket = await suite.connect(member);
      const forbidden = { ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } };
      expect(await ack(socket, 'message:edit', { messageId: message.id, body: 'no' })).toEqual(
        forbidden,
      );
      expect(await ack(socket, 'message:delete', { messageId: message.id })).toEqual(forbidden);
      await unchanged();
    }));

  type Attempt = [string, (by: TestUser) => Promise<{ status: number; body: { error?: string } }>];
  const asActor = (by: TestUser) => ({
    add: () =>
      t
        .http()
        .post(`/api/conversations/${conversation}/members`)
        .set(bearer(by))
        .send({ userId: stranger.id }),
    remove: (who: TestUser) =>
      t.http().delete(`/api/conversations/${conversation}/members/${who.id}`).set(bearer(by)),
    role: (who: TestUser, role: string) =>
      t
        .http()
        .patch(`/api/conversations/${conversation}/members/${who.id}`)
        .set(bearer(by))
        .send({ role }),
  });
  const memberAttempts: Attempt[] = [
    ['add a member', (by) => asActor(by).add()],
    ['remove a member', (by) => asActor(by).remove(admin)],
    [
      'rename',
      (by) =>
        t
          .http()
          .patch(`/api/conversations/${conversation}`)
          .set(bearer(by))
          .send({ title: 'taken over' }),
    ],
    ['pin', (by) => t.http().put(`/api/messages/${message.id}/pin`).set(bearer(by))],
    ['unpin', (by) => t.http().delete(`/api/messages/${message.id}/pin`).set(bearer(by))],
    ['change a role', (by) => asActor(by).role(member, 'admin')],
    [
      'delete another’s message',
      (by) => t.http().delete(`/api/messages/${message.id}`).set(bearer(by)),
    ],
  ];
  const adminAttempts: Attempt[] = [
    ['change a role', (by) => asActor(by).role(member, 'admin')],
    ['take ownership', (by) => asActor(by).role(admin, 'owner')],
    ['remove the owner', (by) => asActor(by).remove(creator)],
  ];

  it.each(memberAttempts)(
    'a plain member may not %s (FORBIDDEN, nothing changes)',
    (_name, attempt) =>
      tally.run(async () => {
        await listen();
        const answer = await attempt(member);
        expect([answer.status, answer.body.error]).toEqual([403, 'FORBIDDEN']);
        await unchanged();
      }),
  );

  it.each(adminAttempts)('an admin may not %s (FORBIDDEN, nothing changes)', (_name, attempt) =>
    tally.run(async () => {
      await listen();
      const answer = await attempt(admin);
      expect([answer.status, answer.body.error]).toEqual([403, 'FORBIDDEN']);
      await unchanged();
    }),
  );
});
