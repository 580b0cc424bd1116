import { grantAdmin } from './support/cli';
import { useOwnDatabase } from './support/own-database';
import {
  bearer,
  registerUser,
  uniqueName,
  waitFor,
  type TestApp,
  type TestUser,
} from './support/test-app';
import {
  startWebhookReceiver,
  type ReceivedEvent,
  type WebhookReceiver,
} from './support/webhook-receiver';

interface Made {
  appId: string;
  botUserId: string;
  key: string;
}

/**
 * Webhooks from the stored change feed: signed, once per webhook-id, in order per conversation,
 * through failures, a disable and a re-enable, and replays. Its own database: the deliverers of
 * other files' apps must not hold this file's partitions.
 */
describe('webhooks', () => {
  const own = useOwnDatabase('webhooks');
  let t: TestApp;
  let admin: TestUser;
  let receiver: WebhookReceiver;
  const http = () => t.http();
  const asKey = (key: string) => ({ Authorization: `Bearer ${key}` });

  beforeAll(async () => {
    t = own.app;
    admin = await registerUser(t, 'admin');
    grantAdmin(admin.username);
  });
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });
  afterEach(() => receiver.close());

  const makeApp = async (webhook: Record<string, unknown> = {}): Promise<Made> => {
    const response = await http()
      .post('/api/apps')
      .set(bearer(admin))
      .send({ name: uniqueName('Hook'), webhook: { url: receiver.url, ...webhook } })
      .expect(201);
    receiver.secret = response.body.webhookSecret as string;
    expect(receiver.secret).toMatch(/^whsec_/);
    return {
      appId: response.body.app.id as string,
      botUserId: response.body.app.botUserId as string,
      key: response.body.key as string,
    };
  };
  const group = async (owner: TestUser, memberIds: string[]): Promise<string> =>
    (
      await http()
        .post('/api/conversations')
        .set(bearer(owner))
        .send({ title: 'Hooked', memberIds })
        .expect(201)
    ).body.id as string;
  const send = async (user: TestUser, id: string, body: string): Promise<string> =>
    (
      await http()
        .post(`/api/conversations/${id}/messages`)
        .set(bearer(user))
        .send({ body, clientMsgId: uniqueName('c') })
        .expect(201)
    ).body.id as string;
  const of = (id: string) => receiver.delivered.filter((event) => event.conversationId === id);
  /** Seq and rev each strictly increasing by one in arrival order, creation first. */
  const expectInOrder = (events: ReceivedEvent[]) => {
    const seqs = events.filter((e) => e.seq !== undefined).map((e) => e.seq!);
    const revs = events.filter((e) => e.rev !== undefined).map((e) => e.rev!);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
    expect(revs).toEqual(revs.map((_, i) => revs[0] + i));
    const created = events.findIndex((e) => e.type === 'conversation.created');
    expect(created).toBeLessThanOrEqual(0);
  };

  it("delivers every kind of event of the bot's conversations, signed, once, in order", async () => {
    const hook = await makeApp();
    const [a, b, c] = [await registerUser(t), await registerUser(t), await registerUser(t)];
    const id = await group(a, [b.id, hook.botUserId]);
    const elsewhere = await group(a, [b.id]);
    const first = await send(a, id, 'hello');
    await send(b, id, 'hi');
    await http()
      .patch(`/api/messages/${first}`)
      .set(bearer(a))
      .send({ body: 'hello!' })
      .expect(200);
    await http()
      .put(`/api/messages/${first}/reactions/${encodeURIComponent('👍')}`)
      .set(bearer(b))
      .expect(204);
    await http()
      .post(`/api/conversations/${id}/members`)
      .set(bearer(a))
      .send({ userId: c.id })
      .expect(204);
    const bot = await http()
      .post(`/api/conversations/${id}/messages`)
      .set(asKey(hook.key))
      .send({ body: 'bot here', clientMsgId: 'b1' })
      .expect(201);
    await http().delete(`/api/messages/${first}`).set(bearer(a)).expect(200);
    await send(a, elsewhere, 'not for the bot');

    await waitFor(() => of(id).length >= 8, 15_000);
    expect(of(id).map((event) => event.type)).toEqual([
      'conversation.created',
      'message.created',
      'message.created',
      'message.updated',
      'reaction',
      'member.joined',
      'message.created',
      'message.deleted',
    ]);
    expectInOrder(of(id));
    expect(receiver.forged).toBe(0);
    // The first message was deleted since: every event carries it as it is now, without its text.
    const created = of(id)[1].body.message as {
      id: string;
      body: string;
      deletedAt: string | null;
    };
    expect(created).toMatchObject({ id: first, body: '' });
    expect(created.deletedAt).not.toBeNull();
    expect(of(id)[6].body).toMatchObject({ actorId: hook.botUserId, seq: 3 });
    expect((of(id)[6].body.message as { id: string }).id).toBe(bot.body.id);
    // A conversation without the bot is not the app's to hear of.
    expect(of(elsewhere)).toEqual([]);
    // Each webhook-id once.
    expect(new Set(receiver.delivered.map((e) => e.id)).size).toBe(receiver.delivered.length);
  });

  it('retries a failing receiver, holding the conversation in order, then delivers everything', async () => {
    let failures = 3;
    receiver.answer = () => (failures-- > 0 ? { status: 500 } : { status: 204 });
    const hook = await makeApp({ scope: 'all', events: ['message.created'] });
    const a = await registerUser(t);
    const b = await registerUser(t);
    const id = await group(a, [b.id]);
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await send(a, id, `m${i}`));
    await waitFor(() => of(id).length >= 5, 15_000);
    expect(of(id).map((e) => (e.body.message as { id: string }).id)).toEqual(sent);
    // Four tries of the first (three refused), then one of each other.
    const tries = receiver.attempts.filter((e) => e.conversationId === id);
    expect(tries.slice(0, 4).map((e) => e.id)).toEqual(Array(4).fill(tries[0].id));
    // The deliveries list is written behind the attempts (within a quarter second).
    const statusesOf = async () => {
      const deliveries = await http()
        .get(`/api/apps/${hook.appId}/deliveries`)
        .set(bearer(admin))
        .expect(200);
      return (deliveries.body as { eventId: string; status: number; attempt: number }[])
        .filter((d) => d.eventId === tries[0].id)
        .map((d) => [d.attempt, d.status]);
    };
    await waitFor(async () => (await statusesOf()).length >= 4);
    expect((await statusesOf()).sort()).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 204],
    ]);
  });

  it('disables the endpoint after the last retry; a re-enable resumes where it stopped', async () => {
    let up = false;
    receiver.answer = () => ({ status: up ? 200 : 503 });
    const hook = await makeApp({ scope: 'all', events: ['message.created'] });
    const a = await registerUser(t);
    const b = await registerUser(t);
    const id = await group(a, [b.id]);
    const sent = [await send(a, id, 'one'), await send(a, id, 'two')];
    await waitFor(async () => {
      const app = await http().get(`/api/apps/${hook.appId}`).set(bearer(admin)).expect(200);
      return app.body.webhook.status === 'disabled';
    }, 15_000);
    const app = await http().get(`/api/apps/${hook.appId}`).set(bearer(admin)).expect(200);
    expect(app.body.webhook.disabledReason).toMatch(/failed 5 times; last: HTTP 503/);
    // While disabled nothing is sent, and what is stored meanwhile waits.
    sent.push(await send(a, id, 'three'));
    const triesWhenDisabled = receiver.attempts.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.attempts.length).toBe(triesWhenDisabled);

    up = true;
    const enabled = await http()
      .patch(`/api/apps/${hook.appId}`)
      .set(bearer(admin))
      .send({ webhook: { status: 'active' } })
      .expect(200);
    expect(enabled.body.app.webhook).toMatchObject({ status: 'active' });
    expect(enabled.body.app.webhook.disabledReason).toBeUndefined();
    await waitFor(() => of(id).length >= 3, 15_000);
    expect(of(id).map((e) => (e.body.message as { id: string }).id)).toEqual(sent);
  });

  it('replays everything since a time, with the same webhook-ids', async () => {
    const hook = await makeApp({ scope: 'all' });
    const a = await registerUser(t);
    const b = await registerUser(t);
    const before = new Date().toISOString();
    const id = await group(a, [b.id]);
    await send(a, id, 'one');
    await send(b, id, 'two');
    await waitFor(() => of(id).length >= 3, 15_000);
    const firstIds = of(id).map((e) => e.id);

    const replayed: ReceivedEvent[] = [];
    receiver.answer = (event) => {
      if (event.conversationId === id) replayed.push(event);
      return { status: 200 };
    };
    await http()
      .post(`/api/apps/${hook.appId}/webhook/replay`)
      .set(bearer(admin))
      .send({ since: before })
      .expect(202);
    await waitFor(() => replayed.length >= 3, 15_000);
    expect(replayed.map((e) => e.id)).toEqual(firstIds);
    await http()
      .post(`/api/apps/${hook.appId}/webhook/replay`)
      .set(bearer(admin))
      .send({ since: 'yesterday' })
      .expect(400);
  });

  it('refuses an endpoint that is not http(s), and stores nothing', async () => {
    for (const url of ['file:///etc/passwd', 'gopher://x', 'javascript:alert(1)']) {
      const response = await http()
        .post('/api/apps')
        .set(bearer(admin))
        .send({ name: uniqueName('Bad'), webhook: { url } });
      expect([response.status, response.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    }
  });
});
