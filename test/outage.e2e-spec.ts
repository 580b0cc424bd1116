import type { Socket } from 'socket.io-client';
import { ack, collect, connectSocket, registerUser, TestApp, waitFor } from './support/test-app';
import { useOwnDatabase } from './support/own-database';
import type { SendAck, WireMessage as Message } from './support/wire';

/**
 * This file owns its database server, so it can kill it mid-test without disturbing the others.
 * It always runs on FerretDB or mongod started by the launcher, even when MONGODB_URI is set.
 */
describe('database outage', () => {
  const own = useOwnDatabase('outage');
  let t: TestApp;
  let sockets: Socket[] = [];

  beforeAll(() => {
    t = own.app;
  });
  afterAll(() => sockets.forEach((socket) => socket.close()));

  it('fails sends cleanly with UNAVAILABLE while the database is down, then recovers by itself', async () => {
    const [a, b] = [await registerUser(t), await registerUser(t)];
    const conversation = await t
      .http()
      .post('/api/conversations/direct')
      .set('Authorization', `Bearer ${a.token}`)
      .send({ userId: b.id })
      .expect(200);
    const id = conversation.body.id as string;
    const [aSocket, bSocket] = [await connectSocket(t, a.token), await connectSocket(t, b.token)];
    sockets = [aSocket, bSocket];
    const delivered = collect<Message>(bSocket, 'message:new');
    const acked: Message[] = [];
    const sendOk = async (clientMsgId: string) => {
      const reply = await ack<SendAck>(aSocket, 'message:send', {
        conversationId: id,
        body: clientMsgId,
        clientMsgId,
      });
      if (!reply.ok) throw new Error(`send failed: ${reply.error.code}`);
      acked.push(reply.message);
    };

    for (const key of ['before-1', 'before-2', 'before-3']) await sendOk(key);
    await waitFor(() => delivered.length === 3);

    await own.kill();

    // Answered, not left hanging (ack gives up after 10 s): UNAVAILABLE, so the client retries.
    const failed = await ack<SendAck>(aSocket, 'message:send', {
      conversationId: id,
      body: 'during',
      clientMsgId: 'during-1',
    });
    expect(failed).toEqual({
      ok: false,
      error: { code: 'UNAVAILABLE', message: expect.any(String) },
    });
    const ready = await t.http().get('/api/health/ready').expect(503);
    expect(ready.body).toMatchObject({ statusCode: 503, error: 'UNAVAILABLE' });
    const rest = await t
      .http()
      .get(`/api/conversations/${id}/messages`)
      .set('Authorization', `Bearer ${a.token}`)
      .expect(503);
    expect(rest.body).toEqual({
      statusCode: 503,
      error: 'UNAVAILABLE',
      message: expect.any(String),
    });
    // A REST write too: 503 UNAVAILABLE ("may or may not be stored; retry with the same key").
    const write = await t
      .http()
      .post(`/api/conversations/${id}/messages`)
      .set('Authorization', `Bearer ${a.token}`)
      .send({ body: 'during, over REST', clientMsgId: 'during-rest' })
      .expect(503);
    expect(write.body).toEqual({
      statusCode: 503,
      error: 'UNAVAILABLE',
      message: expect.any(String),
    });
    expect(aSocket.connected).toBe(true);
    expect(delivered).toHaveLength(3);
    const metrics = await t.http().get('/metrics').expect(200);
    expect(
      Number(/^chat_database_errors_total (\d+)/m.exec(metrics.text)?.[1]),
    ).toBeGreaterThanOrEqual(2);

    await own.restart();
    const deadline = Date.now() + 30_000;
    while ((await t.http().get('/api/health/ready')).status !== 200) {
      if (Date.now() > deadline) throw new Error('the server did not recover');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    // The client retries the failed send with the same clientMsgId; it is stored once.
    await sendOk('during-1');
    await sendOk('after-1');
    await waitFor(() => delivered.length === 5);
    const history = await t
      .http()
      .get(`/api/conversations/${id}/messages`)
      .set('Authorization', `Bearer ${b.token}`)
      .expect(200);
    const stored = history.body.items as Message[];
    expect(stored.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(stored.map((m) => m.id)).toEqual(acked.map((m) => m.id));
    expect(delivered.map((m) => m.id)).toEqual(acked.map((m) => m.id));
  });
});
