import { getConnectionToken } from '@nestjs/mongoose';
import { Types, type Connection } from 'mongoose';
import type { Socket } from 'socket.io-client';
import {
  ChatClient,
  type ChatClientOptions,
  type ClientSession,
  type Message,
} from '../../client/src';
import { startCutProxy, type CutProxy } from '../support/cut-proxy';
import {
  directConversation,
  getHistory,
  registerUser,
  settle,
  useTestApp,
  waitFor,
  type TestUser,
} from '../support/test-app';

/** The client library against the real server, through a proxy whose connections can be cut. */
describe('client library (client/)', () => {
  const suite = useTestApp();
  let proxy: CutProxy;
  const clients: ChatClient[] = [];

  beforeEach(async () => {
    proxy = await startCutProxy(suite.app.url);
  });
  afterEach(async () => {
    clients.splice(0).forEach((client) => client.disconnect());
    await proxy.close();
  });

  function clientFor(user: TestUser, options: Partial<ChatClientOptions> = {}): ChatClient {
    const client = new ChatClient({
      url: proxy.url,
      token: user.token,
      ackTimeoutMs: 500,
      retryBaseMs: 50,
      retryMaxMs: 200,
      socket: { transports: ['websocket'], reconnectionDelay: 50, reconnectionDelayMax: 200 },
      ...options,
    });
    clients.push(client);
    return client;
  }

  async function online(client: ChatClient): Promise<void> {
    client.connect();
    await waitFor(() => client.state === 'online');
  }

  function received(client: ChatClient): Message[] {
    const messages: Message[] = [];
    client.on('message', (message) => messages.push(message));
    return messages;
  }

  it('send() whose ack is lost resends with the same clientMsgId after the reconnect: stored once', async () => {
    const alice = await registerUser(suite.app, 'alice');
    const bob = await registerUser(suite.app, 'bob');
    const conversationId = await directConversation(suite.app, alice, bob);
    const client = clientFor(alice);
    const seen = received(client);
    await online(client);

    proxy.muteReplies(true); // the send reaches the server; its ack and events never come back
    const sending = client.send(conversationId, 'hello through a dying link');
    await waitFor(async () => (await getHistory(suite.app, bob, conversationId)).items.length > 0);
    await settle(700); // past one ack timeout: at least one resend is lost too
    proxy.muteReplies(false);
    proxy.cut();

    const message = await sending;
    expect(message).toMatchObject({ conversationId, seq: 1, senderId: alice.id });
    const { items } = await getHistory(suite.app, bob, conversationId);
    expect(items.map((m) => [m.seq, m.body, m.clientMsgId])).toEqual([
      [1, 'hello through a dying link', message.clientMsgId],
    ]);
    expect(proxy.connections).toBeGreaterThanOrEqual(2);
    await settle();
    expect(seen.map((m) => m.id)).toEqual([message.id]);
  });

  it('send() while the network is down waits, then stores it once when it returns', async () => {
    const alice = await registerUser(suite.app, 'alice');
    const bob = await registerUser(suite.app, 'bob');
    const conversationId = await directConversation(suite.app, alice, bob);
    const client = clientFor(alice);
    await online(client);

    proxy.refuse(true);
    proxy.cut();
    await waitFor(() => client.state === 'connecting');
    const sending = client.send(conversationId, 'queued while offline');
    await settle(300);
    expect((await getHistory(suite.app, bob, conversationId)).items).toEqual([]);
    proxy.refuse(false);

    const message = await sending;
    const { items } = await getHistory(suite.app, bob, conversationId);
    expect(items.map((m) => m.id)).toEqual([message.id]);
  });

  it('after a reconnect, delivers exactly the messages missed, in order, each once', async () => {
    const alice = await registerUser(suite.app, 'alice');
    const bob = await registerUser(suite.app, 'bob');
    const conversationId = await directConversation(suite.app, alice, bob);
    const bobClient = new ChatClient({ url: suite.app.url, token: bob.token });
    clients.push(bobClient);
    await online(bobClient);
    await bobClient.send(conversationId, 'before 1');
    await bobClient.send(conversationId, 'before 2');

    const client = clientFor(alice);
    const seen = received(client);
    await client.history(conversationId); // holds 1..2 now: only later ones are new
    await online(client);
    await bobClient.send(conversationId, 'live 3');
    await waitFor(() => seen.length === 1);

    proxy.refuse(true);
    proxy.cut();
    await waitFor(() => client.state === 'connecting');
    for (let i = 4; i <= 8; i++) await bobClient.send(conversationId, `missed ${i}`);
    proxy.refuse(false);

    await waitFor(() => seen.length >= 6);
    await bobClient.send(conversationId, 'live 9');
    await waitFor(() => seen.length >= 7);
    await settle(300);
    expect(seen.map((m) => [m.seq, m.body])).toEqual([
      [3, 'live 3'],
      [4, 'missed 4'],
      [5, 'missed 5'],
      [6, 'missed 6'],
      [7, 'missed 7'],
      [8, 'missed 8'],
      [9, 'live 9'],
    ]);
    expect(client.lastSeq(conversationId)).toBe(9);
  });

  it('after a reconnect, applies every edit, delete, removal and rename missed, in rev order, once', async () => {
    const [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map((name) => registerUser(suite.app, name)),
    );
    const bobClient = new ChatClient({ url: suite.app.url, token: bob.token });
    clients.push(bobClient);
    const group = await bobClient.api.createGroup({
      title: 'Old',
      memberIds: [alice.id, carol.id],
    });
    await online(bobClient);
    const first = await bobClient.send(group.id, 'first');
    const second = await bobClient.send(group.id, 'second');

    const client = clientFor(alice);
    const changes: string[] = [];
    client.on('messageChanged', (m) => changes.push(`${m.rev} message ${m.body || 'deleted'}`));
    client.on('conversationChanged', (e) =>
      changes.push(`${e.rev} ${e.kind} ${e.conversation.title} ${e.conversation.memberIds.length}`),
    );
    await client.conversations(); // tracks the group from its lastSeq and lastRev
    await online(client);
    await bobClient.edit(first.id, 'first, live');
    await waitFor(() => changes.length === 1);

    proxy.refuse(true);
    proxy.cut();
    await waitFor(() => client.state === 'connecting');
    await bobClient.edit(first.id, 'first, missed');
    await bobClient.delete(second.id);
    await bobClient.api.removeMember(group.id, carol.id);
    await bobClient.api.rename(group.id, 'New');
    proxy.refuse(false);

    await waitFor(() => changes.length >= 5);
    await bobClient.edit(first.id, 'first, live again');
    await waitFor(() => changes.length >= 6);
    await settle(300);
    expect(changes).toEqual([
      '1 message first, live',
      '2 message first, missed',
      '3 message deleted',
      '4 member:left New 2',
      '5 conversation:updated New 2',
      '6 message first, live again',
    ]);
  });

  it('after a reconnect, applies the reactions and pins missed, and replies carry their quote', async () => {
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerUser(suite.app, n)));
    const bobClient = new ChatClient({ url: suite.app.url, token: bob.token });
    clients.push(bobClient);
    const group = await bobClient.api.createGroup({ title: 'G', memberIds: [alice.id] });
    await online(bobClient);
    const question = await bobClient.send(group.id, 'lunch?');

    const client = clientFor(alice);
    const changes: string[] = [];
    client.on('messageChanged', (m) =>
      changes.push(`${m.rev} ${m.reactions.map((r) => `${r.emoji}${r.count}`).join(',')}`),
    );
    client.on('conversationChanged', (e) =>
      changes.push(
        `${e.rev} ${e.kind} ${e.message?.id === question.id} ${e.conversation.pinnedMessageIds.length}`,
      ),
    );
    await client.conversations();
    await online(client);
    const mine = await client.react(question.id, '👍');
    expect(mine.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [alice.id] }]);
    await waitFor(() => changes.length === 1);

    proxy.refuse(true);
    proxy.cut();
    await waitFor(() => client.state === 'connecting');
    await bobClient.react(question.id, '👍');
    await bobClient.pin(question.id);
    await bobClient.react(question.id, ':tada:');
    proxy.refuse(false);

    await waitFor(() => changes.length >= 4);
    const reply = await client.reply(question, 'yes');
    expect(reply.replyTo).toEqual({
      id: question.id,
      seq: question.seq,
      senderId: bob.id,
      excerpt: 'lunch?',
    });
    await settle(300);
    expect(changes).toEqual(['1 👍1', '2 👍2', '3 pin true 1', '4 👍2,:tada:1']);
  });

  it('a member who is removed while away hears `removed` once, and nothing more of it', async () => {
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerUser(suite.app, n)));
    const bobClient = new ChatClient({ url: suite.app.url, token: bob.token });
    clients.push(bobClient);
    const group = await bobClient.api.createGroup({ title: 'G', memberIds: [alice.id] });
    const client = clientFor(alice);
    const removed: string[] = [];
    const seen = received(client);
    client.on('removed', (id) => removed.push(id));
    await client.conversations();
    await online(client);
    proxy.refuse(true);
    proxy.cut();
    await waitFor(() => client.state === 'connecting');
    await bobClient.api.removeMember(group.id, alice.id);
    proxy.refuse(false);
    await waitFor(() => removed.length === 1);
    expect(removed).toEqual([group.id]);
    expect(client.lastSeq(group.id)).toBeUndefined();
    await online(bobClient);
    await bobClient.send(group.id, 'not for alice');
    await settle(300);
    expect(seen).toEqual([]);
    expect(removed).toEqual([group.id]);
  });

  it('says by itself which messages it holds: the sender hears `delivered`, and it survives a reload', async () => {
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerUser(suite.app, n)));
    const conversationId = await directConversation(suite.app, alice, bob);
    const aliceClient = clientFor(alice);
    const delivered: number[] = [];
    aliceClient.on('delivered', (event) => delivered.push(event.seq));
    const bobClient = clientFor(bob);
    const seen = received(bobClient);
    await Promise.all([online(aliceClient), online(bobClient)]);
    for (let i = 1; i <= 3; i++) await aliceClient.send(conversationId, `m${i}`);
    await waitFor(() => seen.length === 3 && delivered.at(-1) === 3);
    const reads = await aliceClient.api.reads(conversationId);
    expect(reads.find((read) => read.userId === bob.id)).toMatchObject({ deliveredSeq: 3, seq: 0 });
  });

  it('a backlog of sends waits behind the unanswered one instead of being resent all at once', async () => {
    const alice = await registerUser(suite.app, 'alice');
    const bob = await registerUser(suite.app, 'bob');
    const conversationId = await directConversation(suite.app, alice, bob);
    // Long-polling: its requests are plain text to the proxy (WebSocket frames from clients are masked).
    const client = clientFor(alice, { socket: { transports: ['polling'] } });
    await online(client);

    proxy.muteReplies(true);
    const sending = Array.from({ length: 10 }, (_, i) =>
      client.send(conversationId, `backlog ${i}`),
    );
    await settle(1_600); // three ack timeouts of 500 ms
    const emitted = proxy.countSent('"message:send"');
    proxy.muteReplies(false);
    proxy.cut();
    const sent = await Promise.all(sending);

    expect(emitted).toBeLessThanOrEqual(4); // the first one, resent; never the other nine
    expect(sent.map((m) => m.seq)).toEqual(sent.map((_, i) => i + 1));
  });

  it('sends go out in the order of the calls, so the user’s messages are stored in that order', async () => {
    const alice = await registerUser(suite.app, 'alice');
    const bob = await registerUser(suite.app, 'bob');
    const conversationId = await directConversation(suite.app, alice, bob);
    const client = clientFor(alice);
    await online(client);

    const bodies = Array.from({ length: 20 }, (_, i) => `in order ${i}`);
    const sent = await Promise.all(bodies.map((body) => client.send(conversationId, body)));
    expect(sent.map((m) => m.seq)).toEqual(bodies.map((_, i) => i + 1));
    const { items } = await getHistory(suite.app, bob, conversationId);
    expect(items.map((m) => m.body)).toEqual(bodies);
  });

  it('a refused send rejects at once with the contract error and is not retried', async () => {
    const alice = await registerUser(suite.app, 'alice');
    const bob = await registerUser(suite.app, 'bob');
    const conversationId = await directConversation(suite.app, alice, bob);
    const client = clientFor(alice);
    await online(client);
    // What the client puts on the wire (ChatClient keeps its socket private).
    const sends: unknown[] = [];
    (client as unknown as { socket: Socket }).socket.onAnyOutgoing((event: string, payload) => {
      if (event === 'message:send') sends.push(payload);
    });

    await expect(client.send(conversationId, '   ')).rejects.toMatchObject({
      name: 'ChatError',
      code: 'VALIDATION_FAILED',
    });
    await expect(client.send('0123456789abcdef01234567', 'to nowhere')).rejects.toMatchObject({
      name: 'ChatError',
      code: 'NOT_FOUND',
    });
    expect(sends).toHaveLength(2); // one emit each: refusals are final
    expect((await getHistory(suite.app, bob, conversationId)).items).toEqual([]);
  });

  it('refreshToken supplies a fresh token when REST or the handshake refuses the old one', async () => {
    const alice = await registerUser(suite.app, 'alice');
    const refreshToken = jest.fn(() => alice.token);
    const client = clientFor(alice, { token: 'expired.or.forged', refreshToken });

    await expect(client.api.me()).resolves.toMatchObject({ id: alice.id });
    client.setToken('expired.or.forged');
    await online(client);
    expect(refreshToken).toHaveBeenCalledTimes(2);

    const signedOut = clientFor(alice, { token: 'forged', refreshToken: () => null });
    signedOut.connect();
    await waitFor(() => signedOut.state === 'signed-out');
    await expect(signedOut.api.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
  });

  it('renews a stale access token by its refresh token, once, and announces the new session', async () => {
    const alice = await registerUser(suite.app, 'alice');
    const signIn = new ChatClient({ url: suite.app.url });
    await signIn.login({ username: alice.username, password: 'correct horse battery' });
    const kept = signIn.session!;
    expect(kept).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresAt: expect.any(Number),
    });
    const sessions: (ClientSession | null)[] = [];
    const fallback = jest.fn(() => null);
    // As after a restart: the access token is out of date, the refresh token still good.
    const client = clientFor(alice, {
      token: undefined,
      session: { ...kept, accessToken: 'expired.or.forged', expiresAt: Date.now() - 1 },
      refreshToken: fallback,
    });
    client.on('session', (session) => sessions.push(session));
    await online(client);
    await expect(client.api.me()).resolves.toMatchObject({ id: alice.id });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.refreshToken).not.toBe(kept.refreshToken);
    expect(fallback).not.toHaveBeenCalled();
  });

  it('logout() ends the session on the server and forgets it; a session ended elsewhere signs the client out', async () => {
    const alice = await registerUser(suite.app, 'alice');
    const login = () => ({ username: alice.username, password: 'correct horse battery' });
    const leaving = clientFor(alice, { token: undefined });
    await leaving.login(login());
    const token = leaving.accessToken!;
    await online(leaving);
    const announced: (ClientSession | null)[] = [];
    leaving.on('session', (session) => announced.push(session));
    await leaving.logout();
    expect(leaving.state).toBe('offline');
    expect(announced).toEqual([null]);
    await suite.app.http().get('/api/users/me').set('Authorization', `Bearer ${token}`).expect(401);

    const phone = clientFor(alice, { token: undefined });
    await phone.login(login());
    await online(phone);
    const laptop = clientFor(alice, { token: undefined });
    await laptop.login(login());
    const phoneSession = (await laptop.api.sessions()).find((session) => !session.current)!;
    await laptop.api.endSession(phoneSession.id);
    await waitFor(() => phone.state === 'signed-out');
    expect(phone.session).toBeNull();
    await expect(laptop.api.me()).resolves.toMatchObject({ id: alice.id });
  });

  it('exports the account as parsed lines, and deleting it signs the client out', async () => {
    const alice = await registerUser(suite.app, 'alice');
    const bob = await registerUser(suite.app, 'bob');
    const conversationId = await directConversation(suite.app, alice, bob);
    const client = clientFor(alice, { token: undefined });
    await client.login({ username: alice.username, password: 'correct horse battery' });
    await online(client);
    await client.send(conversationId, 'mine');
    const lines = await client.api.exportAccount();
    expect(lines.map((line) => line.type)).toEqual(['user', 'conversation', 'message']);

    await expect(client.api.deleteAccount('wrong password')).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await client.api.deleteAccount('correct horse battery');
    await waitFor(() => client.state === 'signed-out');
    expect(client.session).toBeNull();
  });

  it('upload() whose answer is lost retries under the same key: one file stored; send() attaches it', async () => {
    const alice = await registerUser(suite.app, 'alice');
    const bob = await registerUser(suite.app, 'bob');
    const conversationId = await directConversation(suite.app, alice, bob);
    const client = clientFor(alice);
    await online(client);
    const bytes = new Uint8Array(100_000).map((_, i) => i % 256);
    const progress: number[] = [];
    proxy.muteReplies(true);
    const uploading = client.upload(new Blob([bytes]), {
      name: 'data.bin',
      onProgress: (sent) => progress.push(sent),
    });
    const files = suite.app.app.get<Connection>(getConnectionToken()).collection('files');
    const uploaderId = new Types.ObjectId(alice.id);
    await waitFor(async () => (await files.countDocuments({ uploaderId, status: 'ready' })) === 1);
    proxy.cut();
    proxy.muteReplies(false);
    const file = await uploading;
    expect(file).toMatchObject({ name: 'data.bin', size: 100_000, uploaderId: alice.id });
    expect(await files.countDocuments({ uploaderId })).toBe(1);
    expect(progress.at(-1)).toBe(100_000);

    const message = await client.send(conversationId, '', { attachments: [file.id] });
    expect(message.attachments).toEqual([file]);
    const download = await fetch(client.api.fileUrl(file.id), {
      headers: { authorization: `Bearer ${bob.token}` },
    });
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
  });

  it('typing, read receipts and presence reach the other member through the helpers', async () => {
    const alice = await registerUser(suite.app, 'alice');
    const bob = await registerUser(suite.app, 'bob');
    const conversationId = await directConversation(suite.app, alice, bob);
    const aliceClient = clientFor(alice);
    const bobClient = clientFor(bob);
    const typing: string[][] = [];
    aliceClient.on('typing', (id, userIds) => id === conversationId && typing.push(userIds));
    await online(aliceClient);
    await online(bobClient);
    await waitFor(() => aliceClient.presenceOf(bob.id)?.online === true);

    bobClient.typing(conversationId);
    bobClient.typing(conversationId); // throttled: one indicator
    await waitFor(() => typing.length === 1);
    expect(aliceClient.typingUsers(conversationId)).toEqual([bob.id]);
    const message = await aliceClient.send(conversationId, 'did you read this?');
    await bobClient.send(conversationId, 'yes'); // sending stops bob's indicator
    await waitFor(() => typing.length === 2);
    expect(typing).toEqual([[bob.id], []]);

    await bobClient.markRead(conversationId, message.seq);
    await waitFor(() => aliceClient.readBy(conversationId, message.seq).length === 1);
    expect(aliceClient.readBy(conversationId, message.seq)).toEqual([bob.id]);

    bobClient.disconnect();
    await waitFor(() => aliceClient.presenceOf(bob.id)?.online === false);
  });
});
