import { AppsClient, ChatError, RestClient } from '../../client/src';
import { grantAdmin } from '../support/cli';
import { registerUser, uniqueName, useTestApp } from '../support/test-app';

/** The client library's integration routes, as a product's backend uses them. */
describe('client library: AppsClient', () => {
  const suite = useTestApp();
  const asAdmin = async (): Promise<AppsClient> => {
    const admin = await registerUser(suite.app, 'cadmin');
    grantAdmin(admin.username);
    return new AppsClient({ baseUrl: suite.app.url, getToken: () => admin.token });
  };
  const withKey = (key: string) => new AppsClient({ baseUrl: suite.app.url, getToken: () => key });
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => 'answered',
      (error: unknown) => (error instanceof ChatError ? error.code : String(error)),
    );

  it('creates an app, provisions and signs in users, and acts for them with its key', async () => {
    const admin = await asAdmin();
    const created = await admin.createApp({
      name: uniqueName('Desk'),
      scopes: ['users:write', 'conversations:write', 'messages:write'],
    });
    expect(created.key).toMatch(/^chk_/);
    expect((await admin.app(created.app.id)).keys.map((k) => k.id)).toEqual([
      created.app.keys[0].id,
    ]);
    expect((await admin.apps()).map((app) => app.id)).toContain(created.app.id);

    const app = withKey(created.key!);
    const ext = uniqueName('ext');
    const ann = await app.putUser(`${ext}-ann`, { username: uniqueName('ann') });
    const bob = await app.putUser(`${ext}-bob`, { username: uniqueName('bob') });
    // Provisioning again by the same external id is the same user.
    expect((await app.putUser(`${ext}-ann`, { username: ann.username })).id).toBe(ann.id);
    const session = await app.signInUser(`${ext}-ann`);
    const asAnn = new RestClient({ baseUrl: suite.app.url, getToken: () => session.accessToken });
    expect((await asAnn.me()).id).toBe(ann.id);

    const direct = await app.openConversationFor({ type: 'direct', memberIds: [ann.id, bob.id] });
    expect(direct.memberIds.sort()).toEqual([ann.id, bob.id].sort());
    // The bot posts through the same route as users do.
    const group = await app.openConversationFor({
      type: 'group',
      title: 'Support',
      memberIds: [ann.id, created.app.botUserId],
    });
    const posted = await app.postMessage(group.id, { body: 'hello from the bot' });
    expect(posted.senderId).toBe(created.app.botUserId);
    expect((await asAnn.history(group.id)).items.map((m) => m.body)).toEqual([
      'hello from the bot',
    ]);

    await app.signOutUser(`${ext}-ann`);
    expect(await refusal(asAnn.me())).toBe('UNAUTHORIZED');
  });

  it('rotates keys: a deleted key is refused at once; keys are kept off admin routes', async () => {
    const admin = await asAdmin();
    const created = await admin.createApp({ name: uniqueName('Rotate') });
    const added = await admin.addKey(created.app.id, ['users:write']);
    expect(added.scopes).toEqual(['users:write']);
    await admin.deleteKey(created.app.id, created.app.keys[0].id);
    expect(await refusal(withKey(created.key!).putUser('x1', { username: uniqueName('x') }))).toBe(
      'UNAUTHORIZED',
    );
    expect(await refusal(withKey(added.key).apps())).toBe('FORBIDDEN');
    expect(
      await refusal(withKey(added.key).openConversationFor({ type: 'direct', memberIds: [] })),
    ).toBe('FORBIDDEN');
    expect(await refusal(admin.app('000000000000000000000000'))).toBe('NOT_FOUND');

    await admin.deleteApp(created.app.id);
    expect(await refusal(withKey(added.key).putUser('x2', { username: uniqueName('x') }))).toBe(
      'UNAUTHORIZED',
    );
  });

  it('sets, lists and replays a webhook endpoint', async () => {
    const admin = await asAdmin();
    const created = await admin.createApp({
      name: uniqueName('Hooks'),
      webhook: { url: 'http://127.0.0.1:9/hook' },
    });
    expect(created.webhookSecret).toMatch(/^whsec_/);
    expect(created.app.webhook?.status).toBe('active');
    const changed = await admin.updateApp(created.app.id, {
      webhook: { events: ['message.created'] },
    });
    expect(changed.app.webhook?.events).toEqual(['message.created']);
    await admin.replayWebhook(created.app.id, new Date(Date.now() - 60_000));
    // Its bot is in no conversation: nothing to send, so nothing was tried.
    expect(await admin.deliveries(created.app.id)).toEqual([]);
    expect(await refusal(admin.updateApp(created.app.id, { webhook: { url: 'ftp://x/' } }))).toBe(
      'VALIDATION_FAILED',
    );
    expect((await admin.updateApp(created.app.id, { webhook: null })).app.webhook).toBeUndefined();
  });
});
