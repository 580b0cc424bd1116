import type { Change, ChangesPage, ConversationChangedEvent } from '@nest-chat/protocol';
import { conversationHelpers, type MessageAck } from './support/conversation-helpers';
import {
  ack,
  bearer,
  collect,
  connectSocket,
  getHistory,
  sendOk,
  settle,
  startTestApp,
  useTestApp,
  waitFor,
  type TestApp,
  type TestUser,
} from './support/test-app';
import type { WireAck } from './support/wire';

type ChangesAck = WireAck<ChangesPage>;

describe('the change feed (rev)', () => {
  const suite = useTestApp();
  const { connect, users, group, conversation } = conversationHelpers(suite);
  let t: TestApp;
  beforeAll(() => {
    t = suite.app;
  });

  const restChanges = (user: TestUser, id: string, query: string) =>
    t.http().get(`/api/conversations/${id}/changes${query}`).set(bearer(user));
  const rename = (user: TestUser, id: string, title: string) =>
    t.http().patch(`/api/conversations/${id}`).set(bearer(user)).send({ title }).expect(200);
  /** The items of a REST changes page (supertest's body is untyped). */
  const itemsOf = (response: { body: unknown }): Change[] => (response.body as ChangesPage).items;

  it('catches a client that was away up on every edit, delete, removal and rename, in rev order, once', async () => {
    const [a, b, c] = await users(3);
    const id = await group(a, [b, c], 'Before');
    const aSocket = await connect(a);
    const m1 = await sendOk(aSocket, { conversationId: id, body: 'first' });
    const m2 = await sendOk(aSocket, { conversationId: id, body: 'second' });
    const { lastRev: heldRev } = await conversation(b, id);

    // b is away for all of these.
    const edit = await ack<MessageAck>(aSocket, 'message:edit', {
      messageId: m1.id,
      body: 'first!',
    });
    expect(edit.ok && edit.message.rev).toBe(heldRev + 1);
    await ack<MessageAck>(aSocket, 'message:delete', { messageId: m2.id });
    await t.http().delete(`/api/conversations/${id}/members/${c.id}`).set(bearer(a)).expect(204);
    await rename(a, id, 'After');

    const bSocket = await connect(b);
    const page = await ack<ChangesAck>(bSocket, 'changes', {
      conversationId: id,
      afterRev: heldRev,
    });
    if (!page.ok) throw new Error(page.error.code);
    expect(page.items.map((item) => [item.rev - heldRev, item.kind])).toEqual([
      [1, 'message:updated'],
      [2, 'message:deleted'],
      [3, 'member:left'],
      [4, 'conversation:updated'],
    ]);
    expect(page).toMatchObject({ hasMore: false, lastRev: heldRev + 4 });
    const [edited, deleted, left, renamed] = page.items;
    expect(edited).toMatchObject({
      actorId: a.id,
      message: { id: m1.id, body: 'first!', rev: heldRev + 1 },
    });
    expect(deleted.message).toMatchObject({ id: m2.id, body: '', rev: heldRev + 2 });
    expect(deleted.message?.deletedAt).toEqual(expect.any(String));
    expect(left).toMatchObject({ userId: c.id, actorId: a.id });
    // Conversation kinds carry the conversation as it is now.
    expect(renamed.conversation).toMatchObject({ id, title: 'After', lastRev: heldRev + 4 });
    expect(renamed.conversation?.memberIds.sort()).toEqual([a.id, b.id].sort());

    // Nothing after the last one; REST answers the same page.
    const after = await ack<ChangesAck>(bSocket, 'changes', {
      conversationId: id,
      afterRev: heldRev + 4,
    });
    expect(after).toEqual({ ok: true, items: [], hasMore: false, lastRev: heldRev + 4 });
    const rest = await restChanges(b, id, `?afterRev=${heldRev}&limit=2`).expect(200);
    expect(itemsOf(rest).map((item) => item.rev)).toEqual([heldRev + 1, heldRev + 2]);
    expect(rest.body).toMatchObject({ hasMore: true, lastRev: heldRev + 4 });
    expect(await conversation(b, id)).toMatchObject({ title: 'After', lastRev: heldRev + 4 });
  });

  it('tells members live with the rev, and the removed member once, then nothing more', async () => {
    const [a, b, c] = await users(3);
    const id = await group(a, [b, c]);
    const [bSocket, cSocket] = [await connect(b), await connect(c)];
    const bUpdates = collect<ConversationChangedEvent>(bSocket, 'conversation:updated');
    const cRemoved = collect<{ conversationId: string; rev: number }>(
      cSocket,
      'conversation:removed',
    );
    const cMessages = collect(cSocket, 'message:new');
    const cUpdates = collect(cSocket, 'conversation:updated');

    await t.http().delete(`/api/conversations/${id}/members/${c.id}`).set(bearer(a)).expect(204);
    await waitFor(() => bUpdates.length === 1 && cRemoved.length === 1);
    expect(bUpdates[0]).toMatchObject({ conversationId: id, kind: 'member:left', userId: c.id });
    expect(bUpdates[0].conversation.memberIds).not.toContain(c.id);
    expect(cRemoved[0]).toEqual({ conversationId: id, rev: bUpdates[0].rev });

    await sendOk(await connect(a), { conversationId: id, body: 'after c left' });
    await rename(a, id, 'New');
    await waitFor(() => bUpdates.length === 2);
    expect(bUpdates[1]).toMatchObject({ kind: 'conversation:updated', rev: bUpdates[0].rev + 1 });
    await settle();
    expect(cMessages).toEqual([]);
    expect(cUpdates).toEqual([]);

    // To the removed member, the conversation no longer exists.
    const cChanges = await ack<ChangesAck>(cSocket, 'changes', { conversationId: id, afterRev: 0 });
    expect(cChanges).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await restChanges(c, id, '?afterRev=0').expect(404);
    const list = await t.http().get('/api/conversations').set(bearer(c)).expect(200);
    expect((list.body as { id: string }[]).map((item) => item.id)).not.toContain(id);
  });

  it('numbers a re-added member and a left member, and nothing for changes that change nothing', async () => {
    const [a, b, c] = await users(3);
    const id = await group(a, [b]);
    const start = (await conversation(a, id)).lastRev;
    // Added twice: the second changes nothing.
    for (let i = 0; i < 2; i += 1) {
      await t
        .http()
        .post(`/api/conversations/${id}/members`)
        .set(bearer(a))
        .send({ userId: c.id })
        .expect(204);
    }
    await t.http().delete(`/api/conversations/${id}/members/${c.id}`).set(bearer(c)).expect(204);
    const title = (await conversation(a, id)).title;
    await rename(a, id, title ?? '');
    const page = await restChanges(a, id, `?afterRev=${start}`).expect(200);
    expect(itemsOf(page).map((item) => [item.kind, item.userId, item.actorId])).toEqual([
      ['member:joined', c.id, a.id],
      ['member:left', c.id, c.id],
    ]);
    expect(page.body.lastRev).toBe(start + 2);
  });

  it('refuses bad input and renames by others, and stores nothing', async () => {
    const [a, b] = await users(2);
    const id = await group(a, [b], 'Kept');
    const bSocket = await connect(b);
    for (const bad of [
      { conversationId: id, afterRev: -1 },
      { conversationId: id, afterRev: '1' },
      { conversationId: id, afterRev: 0, limit: 101 },
      { conversationId: id, afterRev: 0, extra: true },
      { conversationId: { $ne: null }, afterRev: 0 },
    ]) {
      expect(await ack(bSocket, 'changes', bad)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
    }
    for (const query of [
      '',
      '?afterRev=-1',
      '?afterRev=1e3',
      '?afterRev=0&limit=0',
      '?afterRev=0&x=1',
    ]) {
      const response = await restChanges(b, id, query).expect(400);
      expect(response.body.error).toBe('VALIDATION_FAILED');
    }
    const patch = (user: TestUser, body: unknown) =>
      t
        .http()
        .patch(`/api/conversations/${id}`)
        .set(bearer(user))
        .send(body as object);
    expect((await patch(b, { title: 'Mine' }).expect(403)).body.error).toBe('FORBIDDEN');
    for (const body of [
      { title: '   ' },
      { title: 'x'.repeat(101) },
      { title: 'ok', type: 'direct' },
      {},
    ]) {
      expect((await patch(a, body).expect(400)).body.error).toBe('VALIDATION_FAILED');
    }
    expect(await conversation(b, id)).toMatchObject({ title: 'Kept', lastRev: 0 });
    expect(await ack(bSocket, 'changes', { conversationId: id, afterRev: 0 })).toMatchObject({
      ok: true,
    });
  });

  it('carries each message as its change left it: applied in rev order, the last is history', async () => {
    const [a, b] = await users(2);
    const id = await group(a, [b]);
    const aSocket = await connect(a);
    const message = await sendOk(aSocket, { conversationId: id, body: 'v1' });
    await ack<MessageAck>(aSocket, 'message:edit', { messageId: message.id, body: 'v2' });
    await ack<MessageAck>(aSocket, 'message:edit', { messageId: message.id, body: 'v3' });
    const edited = await restChanges(b, id, '?afterRev=0').expect(200);
    expect(
      itemsOf(edited).map((item) => [item.rev, item.message?.body, item.message?.rev]),
    ).toEqual([
      [1, 'v2', 1],
      [2, 'v3', 2],
    ]);
    await ack<MessageAck>(aSocket, 'message:delete', { messageId: message.id });
    const page = await restChanges(b, id, '?afterRev=0').expect(200);
    // Deleted: no earlier change keeps what it said.
    expect(itemsOf(page).map((item) => [item.rev, item.message?.body, item.message?.rev])).toEqual([
      [1, '', 1],
      [2, '', 2],
      [3, '', 3],
    ]);
    const history = await getHistory(t, b, id);
    expect(itemsOf(page).at(-1)?.message).toEqual(history.items[0]);
  });

  it('a delete leaves the text nowhere: not in earlier edits, reactions or pins, nor in the replies quoting it', async () => {
    const [a, b] = await users(2);
    const id = await group(a, [b]);
    const [aSocket, bSocket] = [await connect(a), await connect(b)];
    const secret = await sendOk(aSocket, { conversationId: id, body: 'my password is hunter1' });
    await ack<MessageAck>(aSocket, 'message:edit', {
      messageId: secret.id,
      body: 'my password is hunter2 @' + b.username,
    });
    await ack(bSocket, 'reaction', { messageId: secret.id, emoji: '😮', on: true });
    await t.http().put(`/api/messages/${secret.id}/pin`).set(bearer(a)).expect(204);
    const reply = await sendOk(bSocket, {
      conversationId: id,
      body: 'oops',
      replyToId: secret.id,
    });
    expect(reply.replyTo?.excerpt).toMatch(/hunter2/);
    // The reply is changed too, so its own change items copy the quote.
    await ack<MessageAck>(bSocket, 'message:edit', { messageId: reply.id, body: 'oops!' });

    await ack<MessageAck>(aSocket, 'message:delete', { messageId: secret.id });
    const items = itemsOf(await restChanges(b, id, '?afterRev=0').expect(200));
    const feed = JSON.stringify(items);
    const history = JSON.stringify(await getHistory(t, b, id));
    for (const copy of [feed, history]) expect(copy).not.toMatch(/hunter|password/);
    const quoted = (await getHistory(t, b, id)).items.find((m) => m.id === reply.id);
    expect(quoted?.replyTo).toMatchObject({ id: secret.id, excerpt: '' });
    // Who was mentioned goes with the text.
    const copies = items.filter((item) => item.message?.id === secret.id);
    expect(copies.length).toBeGreaterThanOrEqual(4);
    expect(copies.map((item) => item.message?.mentions)).toEqual(copies.map(() => []));
  });

  it('gives concurrent edits from two processes distinct, gap-free revs', async () => {
    const other = await startTestApp();
    try {
      const [a, b] = await users(2);
      const id = await group(a, [b]);
      const aHere = await connect(a);
      const aThere = suite.track(await connectSocket(other, a.token));
      const messages = [];
      for (let i = 0; i < 12; i += 1)
        messages.push(await sendOk(aHere, { conversationId: id, body: `m${i}` }));
      const start = (await conversation(a, id)).lastRev;
      const edits = await Promise.all(
        messages.map((m, i) =>
          ack<MessageAck>(i % 2 ? aHere : aThere, 'message:edit', {
            messageId: m.id,
            body: `edited ${i}`,
          }),
        ),
      );
      const revs = edits.map((edit) => (edit.ok ? edit.message.rev : -1)).sort((x, y) => x - y);
      expect(revs).toEqual(messages.map((_, i) => start + i + 1));
      const page = await restChanges(b, id, `?afterRev=${start}&limit=100`).expect(200);
      expect(itemsOf(page).map((item) => item.rev)).toEqual(revs);
    } finally {
      await other.close();
    }
  });
});
