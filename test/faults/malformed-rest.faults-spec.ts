import { bearer, sendOk, uniqueName } from '../support/test-app';
import { useCorpus, type CorpusContext, type Field } from './support/corpus';
import {
  forEmoji,
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

const idArrays: Hostile[] = [
  { name: 'a string', value: '0123456789abcdef01234567' },
  { name: 'array of non-ids', value: ['x', 'y'] },
  { name: 'array with an operator', value: [{ $gt: '' }] },
  { name: 'array of numbers', value: [1, 2] },
];

/**
 * The hostile corpus on every REST body, query and path id: each request must get the contract's
 * error, store nothing, change nothing, reach nobody, and leave the server serving. Owns its
 * database, so "nothing changed" is an exact count.
 */
describe('fault: injection and malformed input (REST)', () => {
  const corpus = useCorpus(
    'faults_corpus_rest',
    'Injection and malformed input (REST)',
    'every REST body, query and path id',
    'REST requests',
  );
  const { tally, unchangedBy, variants, expectAccepted, expectRefused } = corpus;
  let t: CorpusContext['t'];
  let a: CorpusContext['a'];
  let b: CorpusContext['b'];
  let third: CorpusContext['third'];
  let direct: CorpusContext['direct'];
  let group: CorpusContext['group'];
  let message: CorpusContext['message'];
  let aSocket: CorpusContext['aSocket'];
  beforeAll(() => {
    ({ t, a, b, third, direct, group, message, aSocket } = corpus.context());
  });

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
        { name: 'replyToId', values: [...universal, ...forIds], optional: true },
        { name: 'attachments', values: [...universal, ...idArrays], optional: true },
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
      'PATCH /api/conversations/:id',
      'patch',
      () => `/api/conversations/${group}`,
      () => ({ title: 'corpus' }), // the same title: the control changes nothing
      [{ name: 'title', values: [...universal, ...forText] }],
    ],
    [
      'PATCH /api/conversations/:id/members/:userId',
      'patch',
      () => `/api/conversations/${group}/members/${b.id}`,
      () => ({ role: 'member' }), // b's role already: the control changes nothing
      [{ name: 'role', values: [...universal, ...forStrings] }],
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
    // A reply to an id that names no message of the conversation is not found.
    if (route.endsWith('/messages')) return [400, 404, 413];
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
    [
      'GET /api/conversations/:id/changes',
      () => `/api/conversations/${direct}/changes?afterRev=0`,
      ['limit', 'afterRev'],
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
          const separator = path().includes('?') ? '&' : '?';
          const response = await t.http().get(`${path()}${separator}${query}`).set(bearer(a));
          expectRefused(`${route}?${query}`, [400], response.status, response.body);
        }
      },
    ),
  );

  const pathRoutes = (
    id: string,
    memberId = id,
  ): ['get' | 'patch' | 'delete' | 'post' | 'put', string][] => [
    ['get', `/api/users/${id}`],
    ['get', `/api/conversations/${id}`],
    ['get', `/api/conversations/${id}/messages`],
    ['get', `/api/conversations/${id}/changes?afterRev=0`],
    ['get', `/api/conversations/${id}/reads`],
    ['post', `/api/conversations/${id}/read`],
    ['delete', `/api/conversations/${group}/members/${memberId}`],
    ['patch', `/api/messages/${id}`],
    ['delete', `/api/messages/${id}`],
    ['put', `/api/messages/${id}/reactions/%F0%9F%91%8D`],
    ['delete', `/api/messages/${id}/reactions/%F0%9F%91%8D`],
    ['put', `/api/messages/${id}/pin`],
    ['delete', `/api/messages/${id}/pin`],
    ['put', `/api/users/${memberId}/block`],
    ['delete', `/api/users/${memberId}/block`],
  ];
  const callPath = (method: 'get' | 'patch' | 'delete' | 'post' | 'put', path: string) => {
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

  it('REST: every hostile emoji in a reaction path is refused', () =>
    unchangedBy(
      async () => {
        const path = `/api/messages/${message.id}/reactions/${encodeURIComponent(':ok:')}`;
        expectAccepted(`PUT ${path}`, (await t.http().put(path).set(bearer(a))).status);
      },
      async () => {
        const emoji = [
          ...forEmoji
            // Lone surrogates cannot be percent-encoded as UTF-8: sent as their bytes below.
            .filter((hostile) => typeof hostile.value === 'string' && !/lone/.test(hostile.name))
            .map((hostile) => encodeURIComponent(hostile.value as string))
            // Node itself answers 431 to a request line over 16 KB (10,000 emoji), before the app.
            .filter((encoded) => encoded.length < 8_000),
          '%ED%A0%80', // a lone surrogate as UTF-8 bytes
          '%F0%9F', // a truncated emoji
          '%24gt',
          '%7B%22%24gt%22%3A%22%22%7D',
          '..%2F..%2Fpin',
          '%00',
        ];
        for (const method of ['put', 'delete'] as const)
          for (const encoded of emoji) {
            tally.requests += 1;
            const path = `/api/messages/${message.id}/reactions/${encoded}`;
            const response = await t.http()[method](path).set(bearer(a));
            expectRefused(
              `${method} ${path.slice(0, 80)}`,
              [400, 404],
              response.status,
              response.body,
            );
          }
      },
    ));
});
