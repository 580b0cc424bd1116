import { JwtService } from '@nestjs/jwt';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { OWN_TOKENS } from '../src/identity/token-audience';
import { registerUser, startTestApp, TestApp, type TestUser, uniqueName } from './support/test-app';

const secret = process.env.JWT_SECRET ?? '';

describe('identity (REST)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('register', () => {
    it('creates a user and returns it with a token, never a password hash', async () => {
      const username = uniqueName('reg');
      const response = await t
        .http()
        .post('/api/auth/register')
        .send({ username, password: 'long enough pw', displayName: 'Reg User' })
        .expect(201);
      expect(response.body).toEqual({
        user: {
          id: expect.stringMatching(/^[0-9a-f]{24}$/),
          username,
          displayName: 'Reg User',
          role: 'user',
          bot: false,
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        },
        accessToken: expect.any(String),
        refreshToken: expect.stringMatching(/^[0-9a-f]{24}\.0\.[\w-]{43}$/),
        expiresIn: 900,
      });
      expect(JSON.stringify(response.body)).not.toMatch(/password|hash|argon/i);
    });

    it('defaults displayName to the username', async () => {
      const username = uniqueName('dn');
      const response = await t
        .http()
        .post('/api/auth/register')
        .send({ username, password: 'long enough pw' })
        .expect(201);
      expect(response.body.user.displayName).toBe(username);
    });

    it('answers 409 CONFLICT for a taken username', async () => {
      const user = await registerUser(t);
      const response = await t
        .http()
        .post('/api/auth/register')
        .send({ username: user.username, password: 'another password' })
        .expect(409);
      expect(response.body).toEqual({
        statusCode: 409,
        error: 'CONFLICT',
        message: expect.any(String),
      });
    });

    it.each([
      ['a short username', { username: 'ab', password: 'long enough pw' }],
      ['an uppercase username', { username: 'Alice_x', password: 'long enough pw' }],
      ['a username with spaces', { username: 'al ice', password: 'long enough pw' }],
      ['a 33-character username', { username: 'a'.repeat(33), password: 'long enough pw' }],
      ['a short password', { username: 'valid_name', password: 'short' }],
      ['a 129-character password', { username: 'valid_name', password: 'p'.repeat(129) }],
      [
        'a long displayName',
        { username: 'valid_name', password: 'pw123456', displayName: 'd'.repeat(65) },
      ],
      ['an operator as username', { username: { $gt: '' }, password: 'long enough pw' }],
      ['a number as password', { username: 'valid_name', password: 12345678 }],
      ['an unknown field', { username: 'valid_name', password: 'long enough pw', admin: true }],
      ['an empty body', {}],
      ['an array body', [{ username: 'valid_name', password: 'long enough pw' }]],
    ])('refuses %s with 400 VALIDATION_FAILED and stores nothing', async (_case, body) => {
      const response = await t.http().post('/api/auth/register').send(body).expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'VALIDATION_FAILED' });
      expect(response.body.message).toEqual(expect.any(String));
      // Looked up in the collection itself, by the very username tried (as given and lowercased),
      // or any username that is not a string at all.
      const { username } = (Array.isArray(body) ? body[0] : body) as { username?: unknown };
      const users = t.app.get<Connection>(getConnectionToken()).collection('users');
      const filter =
        typeof username === 'string'
          ? { username: { $in: [username, username.toLowerCase()] } }
          : { username: { $not: { $type: 'string' } } };
      expect(await users.findOne(filter)).toBeNull();
    });
  });

  describe('login', () => {
    it('returns the user and a working token', async () => {
      const user = await registerUser(t);
      const response = await t
        .http()
        .post('/api/auth/login')
        .send({ username: user.username, password: 'correct horse battery' })
        .expect(200);
      expect(response.body.user).toMatchObject({ id: user.id, username: user.username });
      await t
        .http()
        .get('/api/users/me')
        .set('Authorization', `Bearer ${response.body.accessToken}`)
        .expect(200);
    });

    it('gives the same 401 for an unknown user and a wrong password', async () => {
      const user = await registerUser(t);
      const wrong = await t
        .http()
        .post('/api/auth/login')
        .send({ username: user.username, password: 'not the password' })
        .expect(401);
      const unknown = await t
        .http()
        .post('/api/auth/login')
        .send({ username: uniqueName('nobody'), password: 'not the password' })
        .expect(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body).toMatchObject({ statusCode: 401, error: 'UNAUTHORIZED' });
    });

    it('refuses an operator in place of the password', async () => {
      const user = await registerUser(t);
      await t
        .http()
        .post('/api/auth/login')
        .send({ username: user.username, password: { $ne: '' } })
        .expect(400);
    });
  });

  describe('bearer tokens', () => {
    const jwt = new JwtService();

    it.each([
      ['no header', undefined],
      ['a malformed token', 'Bearer not-a-jwt'],
      ['another scheme', 'Basic dXNlcjpwYXNz'],
      ['a token signed with another secret', 'forged'],
      ['an expired token', 'expired'],
      ['an unsigned alg:none token', 'none'],
      ['a token for a user that does not exist', 'ghost'],
      ['a token without a session', 'sessionless'],
      ['a token naming a session that does not exist', 'no-such-session'],
      ['a token made for another audience with our secret', 'other-audience'],
      ['a token made by another issuer with our secret', 'other-issuer'],
    ])('answers 401 UNAUTHORIZED for %s', async (_case, kind) => {
      const user = await registerUser(t);
      const header = await badAuthorization(jwt, user, kind);
      const call = t.http().get('/api/users/me');
      if (header) call.set('Authorization', header);
      const response = await call.expect(401);
      expect(response.body).toMatchObject({ statusCode: 401, error: 'UNAUTHORIZED' });
    });
  });

  describe('users', () => {
    it('returns me, a user by id, and 404 for unknown or malformed ids', async () => {
      const a = await registerUser(t, 'usr');
      const b = await registerUser(t, 'usr');
      const auth = { Authorization: `Bearer ${a.token}` };
      const me = await t.http().get('/api/users/me').set(auth).expect(200);
      expect(me.body).toEqual({
        id: a.id,
        username: a.username,
        displayName: a.username,
        role: 'user',
        bot: false,
        createdAt: expect.any(String),
      });
      const other = await t.http().get(`/api/users/${b.id}`).set(auth).expect(200);
      expect(other.body.username).toBe(b.username);
      const missing = await t.http().get('/api/users/0123456789abcdef01234567').set(auth);
      expect(missing.status).toBe(404);
      expect(missing.body.error).toBe('NOT_FOUND');
      await t.http().get('/api/users/not-an-id').set(auth).expect(404);
    });

    it('searches by username prefix, case-insensitively, at most 20, with no regex injection', async () => {
      const prefix = uniqueName('srch').slice(0, 20);
      const auth = await authHeader();
      for (let i = 0; i < 22; i += 1) {
        await t
          .http()
          .post('/api/auth/register')
          .send({ username: `${prefix}${String(i).padStart(2, '0')}`, password: 'long enough pw' })
          .expect(201);
      }
      const found = await t
        .http()
        .get(`/api/users?q=${prefix.toUpperCase()}`)
        .set(auth)
        .expect(200);
      const usernames = (found.body as { username: string }[]).map((u) => u.username);
      expect(usernames).toHaveLength(20);
      expect(usernames.filter((name) => !name.startsWith(prefix))).toEqual([]);
      const regex = await t.http().get('/api/users?q=.*').set(auth).expect(200);
      expect(regex.body).toEqual([]);
      await t.http().get('/api/users?q[$ne]=x').set(auth).expect(400);
    });
  });

  describe('errors and docs', () => {
    it('answers unknown routes with the contract error body', async () => {
      const response = await t
        .http()
        .get('/api/nope')
        .set(await authHeader())
        .expect(404);
      expect(response.body).toEqual({
        statusCode: 404,
        error: 'NOT_FOUND',
        message: expect.any(String),
      });
    });

    it('answers malformed JSON with 400 and an oversized body with 413, without a stack', async () => {
      const malformed = await t
        .http()
        .post('/api/auth/login')
        .set('Content-Type', 'application/json')
        .send('{"username": ')
        .expect(400);
      expect(malformed.body).toMatchObject({ error: 'VALIDATION_FAILED' });
      const huge = await t
        .http()
        .post('/api/auth/register')
        .send({ username: 'big_body', password: 'x'.repeat(200_000) })
        .expect(413);
      expect(huge.body).toEqual({
        statusCode: 413,
        error: 'PAYLOAD_TOO_LARGE',
        message: expect.any(String),
      });
      expect(JSON.stringify([malformed.body, huge.body])).not.toMatch(/\bat .*\.(js|ts):\d+/);
    });

    it('serves the OpenAPI document and health', async () => {
      const docs = await t.http().get('/api/docs-json').expect(200);
      expect(Object.keys(docs.body.paths)).toEqual(
        expect.arrayContaining([
          '/api/auth/register',
          '/api/auth/login',
          '/api/users/me',
          '/api/conversations/direct',
          '/api/conversations/{id}/messages',
        ]),
      );
      // Every error a route may answer is documented with its exact body (here, a send's).
      const send = docs.body.paths['/api/conversations/{id}/messages'].post;
      expect(Object.keys(send.responses)).toEqual(
        expect.arrayContaining(['201', '400', '401', '404', '413', '429', '503']),
      );
      expect(send.responses['201'].headers).toHaveProperty('Idempotent-Replayed');
      expect(docs.body.components.schemas.PostMessageDto.additionalProperties).toBe(false);
      await t.http().get('/api/health').expect(200);
      const ready = await t.http().get('/api/health/ready').expect(200);
      expect(ready.body.status).toBe('ok');
    });
  });

  async function authHeader(): Promise<Record<string, string>> {
    const user = await registerUser(t);
    return { Authorization: `Bearer ${user.token}` };
  }
});

/** Builds each kind of bad Authorization header for `user` (the signed ones name its session). */
async function badAuthorization(
  jwt: JwtService,
  user: TestUser,
  kind: string | undefined,
): Promise<string | undefined> {
  const { sid } = jwt.decode<{ sid: string }>(user.token);
  const sub = user.id;
  switch (kind) {
    case 'forged':
      return `Bearer ${await jwt.signAsync({ sub, sid }, { secret: 'x'.repeat(40), ...OWN_TOKENS })}`;
    case 'expired':
      return `Bearer ${await jwt.signAsync({ sub, sid, exp: Math.floor(Date.now() / 1000) - 10 }, { secret, ...OWN_TOKENS })}`;
    case 'none': {
      const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
      return `Bearer ${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub, sid })}.`;
    }
    case 'ghost':
      return `Bearer ${await jwt.signAsync({ sub: '0123456789abcdef01234567', sid }, { secret, ...OWN_TOKENS })}`;
    case 'sessionless':
      return `Bearer ${await jwt.signAsync({ sub }, { secret, ...OWN_TOKENS })}`;
    case 'no-such-session':
      return `Bearer ${await jwt.signAsync({ sub, sid: '0123456789abcdef01234567' }, { secret, ...OWN_TOKENS })}`;
    case 'other-audience':
      return `Bearer ${await jwt.signAsync({ sub, sid }, { secret, ...OWN_TOKENS, audience: 'billing' })}`;
    case 'other-issuer':
      return `Bearer ${await jwt.signAsync({ sub, sid }, { secret, ...OWN_TOKENS, issuer: 'billing' })}`;
    default:
      return kind;
  }
}
