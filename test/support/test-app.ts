import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import request from 'supertest';
import type { Response as SuperagentResponse } from 'superagent';
import type TestAgent from 'supertest/lib/agent';
import type { SendAck, WireMessage } from './wire';

export interface TestApp {
  app: INestApplication;
  url: string;
  http: () => TestAgent;
  close: () => Promise<void>;
}

/**
 * The real app on a free loopback port against the real test database. AppModule is loaded here,
 * after the caller has set the environment, because configuration is validated on import.
 * `imports`: feature modules loaded beside it (an extension under test).
 */
export async function startTestApp(imports: ModuleMetadata['imports'] = []): Promise<TestApp> {
  const { AppModule } = await import('../../src/app.module');
  const { APP_OPTIONS, configureApp } = await import('../../src/app.setup');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule, ...imports] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(APP_OPTIONS);
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    http: () => request(app.getHttpServer()),
    close: () => app.close(),
  };
}

let counter = 0;

/** A unique, valid username, so tests own their data and run in any order. */
export function uniqueName(prefix = 'u'): string {
  counter += 1;
  return `${prefix}_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 7)}`.slice(
    0,
    32,
  );
}

export interface TestUser {
  id: string;
  username: string;
  token: string;
}

export async function registerUser(testApp: TestApp, prefix = 'u'): Promise<TestUser> {
  const username = uniqueName(prefix);
  const response = await testApp
    .http()
    .post('/api/auth/register')
    .send({ username, password: 'correct horse battery' })
    .expect(201);
  return { id: response.body.user.id, username, token: response.body.accessToken };
}

/** A connected socket.io client on /chat; rejects with the connect_error message. */
export function connectSocket(
  testApp: TestApp,
  token?: unknown,
  options: Partial<ManagerOptions & SocketOptions> = {},
): Promise<Socket> {
  const socket = io(`${testApp.url}/chat`, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...options,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Emits with an ack and resolves with the server's reply. */
export function ack<T = Record<string, unknown>>(
  socket: Socket,
  event: string,
  ...args: unknown[]
): Promise<T> {
  return socket.timeout(10_000).emitWithAck(event, ...args) as Promise<T>;
}

/** Collects every `event` the socket receives from now on. */
export function collect<T = Record<string, unknown>>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const bearer = (user: TestUser): Record<string, string> => ({
  Authorization: `Bearer ${user.token}`,
});

/** The direct conversation of a and b (created on first call); its id. */
export async function directConversation(t: TestApp, a: TestUser, b: TestUser): Promise<string> {
  const response = await t
    .http()
    .post('/api/conversations/direct')
    .set(bearer(a))
    .send({ userId: b.id })
    .expect(200);
  return response.body.id as string;
}

/** One page of REST history, as `user` sees it. */
export async function getHistory(
  t: TestApp,
  user: TestUser,
  conversationId: string,
  query = '',
): Promise<{ items: WireMessage[]; hasMore: boolean }> {
  const response = await t
    .http()
    .get(`/api/conversations/${conversationId}/messages${query}`)
    .set(bearer(user))
    .expect(200);
  return response.body as { items: WireMessage[]; hasMore: boolean };
}

/** `message:send` that must succeed; resolves with the stored message. */
export async function sendOk(socket: Socket, payload: unknown): Promise<WireMessage> {
  const reply = await ack<SendAck>(socket, 'message:send', payload);
  if (!reply.ok) throw new Error(`send failed: ${reply.error.code} ${reply.error.message}`);
  return reply.message;
}

/** Lets a stray event arrive before a test asserts that none did. */
/** A supertest parser that keeps a response's bytes as they are (files, thumbnails). */
export function keepBytes(
  response: SuperagentResponse,
  done: (error: Error | null, body: Buffer) => void,
): void {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => done(null, Buffer.concat(chunks)));
}

export const settle = (ms = 200): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

export interface TestSuite {
  /** The app, once `beforeAll` has run. */
  readonly app: TestApp;
  /** A socket for `user`, closed after the current test. */
  connect(user: TestUser): Promise<Socket>;
  /** Closes `socket` after the current test. */
  track(socket: Socket): Socket;
}

/** Starts the app for a spec file, and closes the sockets each test opened through it. */
export function useTestApp(imports: ModuleMetadata['imports'] = []): TestSuite {
  let app: TestApp | undefined;
  const sockets: Socket[] = [];
  const suite: TestSuite = {
    get app() {
      if (!app) throw new Error('the app starts in beforeAll');
      return app;
    },
    async connect(user) {
      return suite.track(await connectSocket(suite.app, user.token));
    },
    track(socket) {
      sockets.push(socket);
      return socket;
    },
  };
  beforeAll(async () => {
    app = await startTestApp(imports);
  });
  afterEach(() => {
    sockets.splice(0).forEach((socket) => socket.close());
  });
  afterAll(async () => {
    await app?.close();
  });
  return suite;
}
