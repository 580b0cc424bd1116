import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { Socket } from 'socket.io-client';
import { useOwnDatabase } from '../support/own-database';
import {
  ack,
  bearer,
  connectSocket,
  directConversation,
  registerUser,
  sendOk,
  uniqueName,
  type TestApp,
  type TestUser,
} from '../support/test-app';
import type { WireMessage } from '../support/wire';
import {
  corpusSize,
  forBooleans,
  forIds,
  forIntegers,
  forKeys,
  forQueryIntegers,
  forStrings,
  forText,
  queryShapes,
  universal,
  type Hostile,
} from './support/hostile-values';
import { record } from './support/report';

interface Field {
  name: string;
  values: Hostile[];
  optional?: boolean;
}

const ERROR_CODES = ['VALIDATION_FAILED', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'UNAUTHORIZED'];
const idArrays: Hostile[] = [
  { name: 'a string', value: '0123456789abcdef01234567' },
  { name: 'array of non-ids', value: ['x', 'y'] },
  { name: 'array with an operator', value: [{ $gt: '' }] },
  { name: 'array of numbers', value: [1, 2] },
];

/**
 * The corpus on every REST body, query and path, and every socket event: each payload must get
 * the contract's error, store nothing, change nothing, reach nobody, and leave the server (and
 * the socket) serving. Owns its database, so "nothing changed" is an exact count.
 */
describe('fault: injection and malformed input on every route and event', () => {
  const own = useOwnDatabase('faults_corpus');
  let t: TestApp;
  let a: TestUser;
  let b: TestUser;
  let third: TestUser;
  let direct: string;
  let group: string;
  let message: WireMessage;
  let aSocket: Socket;
  let bSocket: Socket;
  const heardByB: string[] = [];
  const tally = { requests: 0, emits: 0, accepted: [] as string[], serverErrors: [] as string[] };
  const disconnects: string[] = [];

  beforeAll(async () => {
    t = own.app;
    [a, b, third] = [await registerUser(t), await registerUser(t), await registerUser(t)];
    direct = await directConversation(t, a, b);
    const created = await t
      .http()
      .post('/api/conversations')
      .set(bearer(a))
      .send({ title: 'corpus', memberIds: [b.id] })
      .expect(201);
    group = created.body.id as string;
    [aSocket, bSocket] = [await connectSocket(t, a.token), await connectSocket(t, b.token)];
    message = await sendOk(aSocket, { conversationId: direct, body: 'original' });
    bSocket.onAny((event: string) => heardByB.push(event));
  });
  afterAll(() => {
    aSocket?.close();
    bSocket?.close();
    record({
      scenario: 'Injection and malformed input',
      setup:
        `A corpus of ${corpusSize()} hostile values and query strings (operators, prototype keys, ` +
        'wrong types, huge and blank strings, deep and wide nesting, lone surrogates, invalid ' +
        'UTF-8 bytes, binary attachments) in place of every field and whole payload of every REST ' +
        'body, query and path id and every socket event.',
      figures: [
        { name: 'REST requests', value: tally.requests },
        { name: 'socket events', value: tally.emits },
        { name: 'accepted (2xx or ok: true)', value: tally.accepted.length, mustBeZero: true },
        { name: '5xx or INTERNAL', value: tally.serverErrors.length, mustBeZero: true },
        { name: 'connections dropped', value: disconnects.length, mustBeZero: true },
        { name: 'documents changed', value: changed, mustBeZero: true },
        { name: 'events that reached another member', value: heardTotal, mustBeZero: true },
      ],
    });
  });

  let changed = 0;
  let heardTotal = 0;
  async function snapshot(): Promise<string> {
    const connection = t.app.get<Connection>(getConnectionToken());
    const counts = await Promise.all(
      ['users', 'conversations', 'memberships', 'messages', 'readmarks'].map(
        async (name) => `${name}=${await connection.collection(name).countDocuments()}`,
      ),
    );
    const stored = await connection.collection('messages').findOne({ body: 'original' });
    return `${counts.join(' ')} original=${stored ? 'kept' : 'changed'}`;
  }
  /**
   * Everything the server sent b before now has arrived: b's own request is answered after it,
   * on the same connection.
   */
  const drainB = async (): Promise<void> => {
    await ack(bSocket, 'sync', { conversationId: direct, afterSeq: 0, limit: 1 });
  };

  /**
   * Runs the route's valid control request first (it must succeed: the path, the token and the
   * base payload are right, so a refusal below is the hostile value's doing), then the batch,
   * and checks the batch changed nothing in the database and reached no other member.
   */
  async function unchangedBy(control: () => Promise<void>, batch: () => Promise<void>) {
    await control();
    await drainB();
    heardByB.length = 0;
    const before = await snapshot();
    await batch();
    const after = await snapshot();
    if (after !== before) changed += 1;
    await drainB();
    heardTotal += heardByB.length;
    expect({ after, heard: heardByB }).toEqual({ after: before, heard: [] });
    await t.http().get('/api/health/ready').expect(200);
  }

  function variants(valid: Record<string, unknown>, fields: Field[]): [string, unknown][] {
    const out: [string, unknown][] = [];
    for (const field of fields)
      for (const hostile of field.values)
        if (!(field.optional && hostile.nullish))
          out.push([`${field.name}: ${hostile.name}`, { ...valid, [field.name]: hostile.value }]);
    for (const hostile of [...universal, ...forStrings])
      out.push([`whole payload: ${hostile.name}`, hostile.value]);
    return out;
  }

  /** A control request: valid in every way, so it must succeed. */
  function expectAccepted(what: string, status: number): void {
    expect({ control: what, status }).toEqual({
      control: what,
      status: status < 300 ? status : 'a 2xx',
    });
  }

  /** A refusal with one of `allowed` statuses and the contract's error body. */
  function expectRefused(what: string, allowed: number[], status: number, body: unknown): void {
    if (status < 300) tally.accepted.push(what);
    if (status >= 500) tally.serverErrors.push(what);
    const { statusCode, error, message } = (body ?? {}) as Record<string, unknown>;
    const refused =
      allowed.includes(status) &&
      statusCode === status &&
      ERROR_CODES.includes(String(error)) &&
      typeof message === 'string';
    // The failure message names the payload and shows what came back.
    expect({ what, status, error, refused }).toEqual({ what, status, error, refused: true });
  }

  const restBodies: [
    string,
    'post' | 'patch',
    () => string,
    () => Record<string, unknown>,
    Field[],
  ][] = [
    [
      'POST /api/auth/register',
      'post',
      () => '/api/auth/register',
      () => ({ username: uniqueName('c'), password: 'correct horse battery', displayName: 'C' }),
      [
        {
          name: 'username',
          values: [...universal, ...forStrings, { name: 'capitals', value: 'ABC' }],
        },
        { name: 'password', values: [...universal, ...forStrings] },
        { name: 'displayName', values: [...universal, ...forStrings], optional: true },
      ],
    ],
    [
      'POST /api/auth/login',
      'post',
      () => '/api/auth/login',
      () => ({ username: a.username, password: 'correct horse battery' }),
      [
        { name: 'username', values: [...universal, ...forStrings] },
        { name: 'password', values: [...universal, ...forStrings] },
      ],
    ],
    [
      'POST /api/conversations/direct',
      'post',
      () => '/api/conversations/direct',
      () => ({ userId: third.id }),
      [{ name: 'userId', values: [...universal, ...forIds] }],
    ],
    [
      'POST /api/conversations',
      'post',
      () => '/api/conversations',
      () => ({ title: 'new group', memberIds: [b.id] }),
      [
        { name: 'title', values: [...universal, ...forText] },
        { name: 'memberIds', values: [...universal, ...idArrays] },
      ],
    ],
    [
      'POST /api/conversations/:id/members',
      'post',
      () => `/api/conversations/${group}/members`,
      () => ({ userId: third.id }),
      [{ name: 'userId', values: [...universal, ...forIds] }],
    ],
    [
      'POST /api/conversations/:id/messages',
      'post',
      () => `/api/conversations/${direct}/messages`,
      () => ({ body: 'valid', clientMsgId: uniqueName('m') }),
      [
        { name: 'body', values: [...universal, ...forText] },
        { name: 'clientMsgId', values: [...universal, ...forKeys], optional: true },
      ],
    ],
    [
      'PATCH /api/messages/:id',
      'patch',
      () => `/api/messages/${message.id}`,
      () => ({ body: 'original' }), // the control edit keeps the text the snapshot checks
      [{ name: 'body', values: [...universal, ...forText] }],
    ],
    [
      'POST /api/conversations/:id/read',
      'post',
      () => `/api/conversations/${direct}/read`,
      () => ({ seq: 1 }),
      [{ name: 'seq', values: [...universal, ...forIntegers] }],
    ],
  ];

  // A wrong body is refused by validation (400, or 413 when too large). Where a hostile value is
  // still well-formed, the answer is what it would be for any such value: a failed login, or a
  // user that does not exist.
  const bodyStatuses = (route: string): number[] => {
    if (route === 'POST /api/auth/login') return [400, 401, 413];
    if (route.startsWith('POST /api/conversations') && !route.endsWith('/messages')) {
      return route.endsWith('/read') ? [400, 413] : [400, 404, 413];
    }
    return [400, 413];
  };

  it.each(restBodies)(
    'REST %s: every hostile body is refused',
    (route, method, path, valid, fields) =>
      unchangedBy(
        async () => {
          const response = await t.http()[method](path()).set(bearer(a)).send(valid());
          expectAccepted(route, response.status);
        },
        async () => {
          for (const [what, body] of variants(valid(), fields)) {
            tally.requests += 1;
            const response = await t
              .http()
              [method](path())
              .set(bearer(a)) // the sender: only validation may refuse it
              .set('content-type', 'application/json')
              .send(JSON.stringify(body));
            expectRefused(`${route} ${what}`, bodyStatuses(route), response.status, response.body);
          }
          const raw: [string, string | Buffer, string][] = [
            [
              'invalid UTF-8 bytes',
              Buffer.from([0x7b, 0x22, 0x62, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
              'application/json',
            ],
            ['truncated JSON', '{"body": "x', 'application/json'],
            [
              'a 100 KB body',
              JSON.stringify({ ...valid(), pad: 'x'.repeat(100_000) }),
              'application/json',
            ],
            [
              'JSON sent as text/plain',
              JSON.stringify(valid()).replace(/"valid"|"original"/, '"x"'),
              'text/plain',
            ],
          ];
          for (const [what, body, type] of raw) {
            tally.requests += 1;
            const response = await t
              .http()
              [method](path())
              .set(bearer(b))
              .set('content-type', type)
              .send(body);
            expectRefused(`${route} ${what}`, bodyStatuses(route), response.status, response.body);
          }
        },
      ),
  );

  const queryRoutes: [string, () => string, string[]][] = [
    ['GET /api/users', () => '/api/users', ['q']],
    ['GET /api/conversations', () => '/api/conversations', ['limit', 'before']],
    [
      'GET /api/conversations/:id/messages',
      () => `/api/conversations/${direct}/messages`,
      ['limit', 'beforeSeq', 'afterSeq'],
    ],
  ];

  it.each(queryRoutes)('REST %s: every hostile query is refused', (route, path, params) =>
    unchangedBy(
      async () => expectAccepted(route, (await t.http().get(path()).set(bearer(a))).status),
      async () => {
        const queries = params.flatMap((name) => [
          ...(name === 'q' || name === 'before'
            ? [`${name}=${'x'.repeat(5000)}`, `${name}=%ff%fe`, `${name}=%ed%a0%80`]
            : forQueryIntegers.map((value) => `${name}=${value}`)),
          ...queryShapes.map((shape) => `${name}${shape.replaceAll('{name}', name)}`),
        ]);
        queries.push('__proto__[polluted]=1', 'constructor[prototype][polluted]=1', 'unknown=1');
        for (const query of queries) {
          tally.requests += 1;
          const response = await t.http().get(`${path()}?${query}`).set(bearer(a));
          expectRefused(`${route}?${query}`, [400], response.status, response.body);
        }
      },
    ),
  );

  const pathRoutes = (
    id: string,
    memberId = id,
  ): ['get' | 'patch' | 'delete' | 'post', string][] => [
    ['get', `/api/users/${id}`],
    ['get', `/api/conversations/${id}`],
    ['get', `/api/conversations/${id}/messages`],
    ['post', `/api/conversations/${id}/read`],
    ['delete', `/api/conversations/${group}/members/${memberId}`],
    ['patch', `/api/messages/${id}`],
    ['delete', `/api/messages/${id}`],
  ];
  const callPath = (method: 'get' | 'patch' | 'delete' | 'post', path: string) => {
    const call = t.http()[method](path).set(bearer(a));
    if (method === 'patch') return call.send({ body: 'original' });
    if (method === 'post') return call.send({ seq: 1 });
    return call;
  };

  it('REST: every hostile path id is refused', () =>
    unchangedBy(
      async () => {
        // Each route with real ids: a user, a conversation, a member to remove, messages.
        await t
          .http()
          .post(`/api/conversations/${group}/members`)
          .set(bearer(a))
          .send({ userId: third.id });
        const doomed = await sendOk(aSocket, { conversationId: direct, body: 'to delete' });
        const real = pathRoutes(direct, third.id).map(([method, path]): [typeof method, string] => [
          method,
          path
            .replace(`/users/${direct}`, `/users/${a.id}`)
            .replace(
              `/messages/${direct}`,
              method === 'delete' ? `/messages/${doomed.id}` : `/messages/${message.id}`,
            ),
        ]);
        for (const [method, path] of real)
          expectAccepted(`${method} ${path}`, (await callPath(method, path)).status);
      },
      async () => {
        const ids = [
          '$gt',
          '%7B%22$gt%22:%22%22%7D',
          '..%2F..%2Fetc',
          '%00',
          'x'.repeat(5000),
          '%ff',
          '0123456789abcdef0123456z',
        ];
        for (const id of ids)
          for (const [method, path] of pathRoutes(id)) {
            tally.requests += 1;
            const response = await callPath(method, path);
            expectRefused(
              `${method} ${path.slice(0, 80)}`,
              [400, 404],
              response.status,
              response.body,
            );
          }
      },
    ));

  const event = (label: string): string => label.split(' ')[0];

  // A message the control of message:delete deletes (the shared one must stay).
  let doomed: WireMessage | undefined;

  /** [label (the event, then what is special), valid payload, fields, set-up for the control] */
  const socketEvents: [string, () => Record<string, unknown>, Field[], (() => Promise<void>)?][] = [
    [
      'message:send',
      () => ({ conversationId: direct, body: 'valid', clientMsgId: uniqueName('s') }),
      [
        { name: 'conversationId', values: [...universal, ...forIds] },
        { name: 'body', values: [...universal, ...forText] },
        { name: 'clientMsgId', values: [...universal, ...forKeys], optional: true },
      ],
      undefined,
    ],
    [
      // `to` alone names the conversation here, so a hostile `to` is the only thing wrong.
      'message:send to a user',
      () => ({ to: b.id, body: 'valid', clientMsgId: uniqueName('s') }),
      [{ name: 'to', values: [...universal, ...forIds] }],
      undefined,
    ],
    [
      'message:edit',
      () => ({ messageId: message.id, body: 'original' }),
      [
        { name: 'messageId', values: [...universal, ...forIds] },
        { name: 'body', values: [...universal, ...forText] },
      ],
      undefined,
    ],
    [
      'message:delete',
      () => ({ messageId: doomed?.id ?? message.id }),
      [{ name: 'messageId', values: [...universal, ...forIds] }],
      async () => {
        doomed = await sendOk(aSocket, { conversationId: direct, body: 'to delete' });
      },
    ],
    [
      'read',
      () => ({ conversationId: direct, seq: 1 }),
      [
        { name: 'conversationId', values: [...universal, ...forIds] },
        { name: 'seq', values: [...universal, ...forIntegers] },
      ],
      undefined,
    ],
    [
      'sync',
      () => ({ conversationId: direct, afterSeq: 0, limit: 10 }),
      [
        { name: 'conversationId', values: [...universal, ...forIds] },
        { name: 'afterSeq', values: [...universal, ...forIntegers] },
        {
          name: 'limit',
          values: [
            ...universal,
            ...forIntegers,
            { name: '101', value: 101 },
            { name: '0', value: 0 },
          ],
          optional: true,
        },
      ],
      undefined,
    ],
    [
      'typing',
      () => ({ conversationId: direct, typing: true }),
      [
        { name: 'conversationId', values: [...universal, ...forIds] },
        { name: 'typing', values: [...universal, ...forBooleans] },
      ],
      undefined,
    ],
  ];

  it.each(socketEvents)(
    'socket.io %s: every hostile payload is refused',
    (label, valid, fields, setUp) =>
      unchangedBy(
        async () => {
          await setUp?.();
          const reply = await ack<{ ok: boolean }>(aSocket, event(label), valid());
          expect({ control: label, reply }).toEqual({
            control: label,
            reply: expect.objectContaining({ ok: true }) as unknown,
          });
        },
        async () => {
          const binary = Buffer.from([0xff, 0xfe, 0x00, 0x01]);
          const payloads: [string, unknown][] = [
            ...variants(valid(), fields),
            ['whole payload: binary attachment', binary],
            ...fields.map((field): [string, unknown] => [
              `${field.name}: binary attachment`,
              { ...valid(), [field.name]: binary },
            ]),
            ['an extra key', { ...valid(), senderId: b.id, isAdmin: true }],
          ];
          for (const [what, payload] of payloads) {
            tally.emits += 1;
            const reply = await ack<{ ok: boolean; error?: { code: string } }>(
              aSocket,
              event(label),
              payload,
            );
            if (reply.ok) tally.accepted.push(`${label} ${what}`);
            if (reply.error?.code === 'INTERNAL') tally.serverErrors.push(`${label} ${what}`);
            const refused =
              !reply.ok &&
              ERROR_CODES.includes(reply.error?.code ?? '') &&
              Object.keys(reply).length === 2;
            expect({ what, reply, refused }).toEqual({ what, reply, refused: true });
          }
          // Checked here, not by listening: the teardown closes the connection on purpose.
          if (!aSocket.connected) disconnects.push(label);
          expect(aSocket.connected).toBe(true);
        },
      ),
  );
});
