import type { PresenceEvent, TypingEvent } from '@nest-chat/protocol';
import { conversationHelpers } from './support/conversation-helpers';
import {
  ack,
  bearer,
  collect,
  directConversation,
  sendOk,
  settle,
  useTestApp,
  waitFor,
  type TestUser,
} from './support/test-app';
import type { SendAck } from './support/wire';

describe('blocking', () => {
  const suite = useTestApp();
  const { connect, users, group } = conversationHelpers(suite);
  const http = () => suite.app.http();
  const block = (blocker: TestUser, blocked: TestUser, status = 204) =>
    http().put(`/api/users/${blocked.id}/block`).set(bearer(blocker)).expect(status);
  const unblock = (blocker: TestUser, blocked: TestUser) =>
    http().delete(`/api/users/${blocked.id}/block`).set(bearer(blocker)).expect(204);

  it('a blocked user cannot send into the direct conversation or open it; unblocking restores both', async () => {
    const [ann, bob] = await users(2);
    const id = await directConversation(suite.app, ann, bob);
    const bobSocket = await connect(bob);
    await sendOk(bobSocket, { conversationId: id, body: 'before' });
    await block(ann, bob);
    await block(ann, bob); // a repeat changes nothing

    const refused = await ack<SendAck>(bobSocket, 'message:send', {
      conversationId: id,
      body: 'hi',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ack<SendAck>(bobSocket, 'message:send', { to: ann.id, body: 'hi' })).toMatchObject(
      {
        ok: false,
        error: { code: 'FORBIDDEN' },
      },
    );
    const rest = await http()
      .post(`/api/conversations/${id}/messages`)
      .set(bearer(bob))
      .send({ body: 'hi' });
    expect(rest.status).toBe(403);
    await http()
      .post('/api/conversations/direct')
      .set(bearer(bob))
      .send({ userId: ann.id })
      .expect(403);
    // The blocker may still write; nothing of bob's was stored.
    await sendOk(await connect(ann), { conversationId: id, body: 'ann still writes' });
    const history = await http()
      .get(`/api/conversations/${id}/messages`)
      .set(bearer(ann))
      .expect(200);
    expect((history.body as { items: { body: string }[] }).items.map((m) => m.body)).toEqual([
      'before',
      'ann still writes',
    ]);

    const listed = await http().get('/api/users/me/blocks').set(bearer(ann)).expect(200);
    expect((listed.body as { id: string }[]).map((user) => user.id)).toEqual([bob.id]);
    await unblock(ann, bob);
    await sendOk(bobSocket, { conversationId: id, body: 'after' });
    const empty = await http().get('/api/users/me/blocks').set(bearer(ann)).expect(200);
    expect(empty.body).toEqual([]);
  });

  it('a blocked user cannot open a first direct conversation with the blocker, nor add them to a group', async () => {
    const [ann, bob, carol] = await users(3);
    await block(ann, bob);
    await http()
      .post('/api/conversations/direct')
      .set(bearer(bob))
      .send({ userId: ann.id })
      .expect(403);
    const id = await group(bob, [carol]);
    const added = await http()
      .post(`/api/conversations/${id}/members`)
      .set(bearer(bob))
      .send({ userId: ann.id });
    expect(added.status).toBe(403);
    expect(added.body.message).toMatch(/does not accept/);
    // Someone else (an admin) may add ann, and group messages still flow both ways.
    await http()
      .patch(`/api/conversations/${id}/members/${carol.id}`)
      .set(bearer(bob))
      .send({ role: 'admin' })
      .expect(200);
    await http()
      .post(`/api/conversations/${id}/members`)
      .set(bearer(carol))
      .send({ userId: ann.id })
      .expect(204);
    const annSocket = await connect(ann);
    const heard = collect<{ body: string }>(annSocket, 'message:new');
    await sendOk(await connect(bob), { conversationId: id, body: 'group still flows' });
    await waitFor(() => heard.some((m) => m.body === 'group still flows'));
  });

  it('a blocked user cannot make a group with the blocker in it, and nothing is stored or told', async () => {
    const [ann, bob, carol] = await users(3);
    await block(ann, bob);
    const annSocket = await connect(ann);
    const toldAnn = collect(annSocket, 'conversation:new');
    const refused = await http()
      .post('/api/conversations')
      .set(bearer(bob))
      .send({ title: 'Trap', memberIds: [carol.id, ann.id] });
    expect([refused.status, refused.body.error]).toEqual([403, 'FORBIDDEN']);
    // Who blocked whom is not said.
    expect(refused.body.message).not.toContain(ann.id);
    expect(refused.body.message).not.toContain(ann.username);
    const bobs = await http().get('/api/conversations').set(bearer(bob)).expect(200);
    expect(bobs.body).toEqual([]);
    // Without the blocker the group is made.
    await http()
      .post('/api/conversations')
      .set(bearer(bob))
      .send({ title: 'Fine', memberIds: [carol.id] })
      .expect(201);
    await settle(300);
    expect(toldAnn).toEqual([]);
  });

  it('a block stops every write of the blocked user into the direct conversation: edits, reactions, pins', async () => {
    const [ann, bob] = await users(2);
    const id = await directConversation(suite.app, ann, bob);
    const bobSocket = await connect(bob);
    const mine = await sendOk(bobSocket, { conversationId: id, body: 'before the block' });
    const annsMessage = await sendOk(await connect(ann), { conversationId: id, body: 'from ann' });
    await block(ann, bob);
    const annSocket = await connect(ann);
    const heard = [
      ...['message:updated', 'conversation:updated'].map((event) => collect(annSocket, event)),
    ];
    const attempts = [
      http().patch(`/api/messages/${mine.id}`).set(bearer(bob)).send({ body: 'edited after' }),
      http().put(`/api/messages/${annsMessage.id}/reactions/%F0%9F%91%8D`).set(bearer(bob)),
      http().put(`/api/messages/${annsMessage.id}/pin`).set(bearer(bob)),
    ];
    for (const attempt of attempts) {
      const response = await attempt;
      expect([response.status, response.body.error]).toEqual([403, 'FORBIDDEN']);
    }
    const edit = await ack<{ ok: boolean; error?: { code: string } }>(bobSocket, 'message:edit', {
      messageId: mine.id,
      body: 'edited by socket',
    });
    expect(edit).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const history = await http()
      .get(`/api/conversations/${id}/messages`)
      .set(bearer(ann))
      .expect(200);
    const items = (history.body as { items: { body: string; reactions: unknown[] }[] }).items;
    expect(items.map((m) => m.body)).toEqual(['before the block', 'from ann']);
    expect(items.every((m) => m.reactions.length === 0)).toBe(true);
    const pins = await http().get(`/api/conversations/${id}`).set(bearer(ann)).expect(200);
    expect(pins.body.pinnedMessageIds).toEqual([]);
    await settle(300);
    expect(heard.flat()).toEqual([]);
    // The blocker still writes, and bob may still delete his own words.
    await http().put(`/api/messages/${mine.id}/pin`).set(bearer(ann)).expect(204);
    await http().delete(`/api/messages/${mine.id}`).set(bearer(bob)).expect(200);
  });

  it('hides the blocker’s presence from the blocked, and the blocked one’s typing from the blocker', async () => {
    const [ann, bob] = await users(2);
    const id = await directConversation(suite.app, ann, bob);
    await block(ann, bob);
    const bobSocket = await connect(bob);
    const seenByBob = collect<PresenceEvent>(bobSocket, 'presence');
    const annSocket = await connect(ann);
    const typingForAnn = collect<TypingEvent>(annSocket, 'typing');
    // Ann coming online is not announced to bob, and bob's snapshot on connecting omits ann.
    const again = await connect(bob);
    const snapshot = collect<PresenceEvent>(again, 'presence');
    await ack(bobSocket, 'typing', { conversationId: id, typing: true });
    await settle(300);
    expect(seenByBob.filter((p) => p.userId === ann.id)).toEqual([]);
    expect(snapshot.filter((p) => p.userId === ann.id)).toEqual([]);
    expect(typingForAnn).toEqual([]);

    // Unblocked, bob's typing reaches ann again.
    await unblock(ann, bob);
    await ack(bobSocket, 'typing', { conversationId: id, typing: true });
    await waitFor(() => typingForAnn.length === 1);
  });

  it('holds in a direct conversation the blocker opens after blocking', async () => {
    const [ann, bob] = await users(2);
    await block(ann, bob);
    const id = await directConversation(suite.app, ann, bob);
    const refused = await ack<SendAck>(await connect(bob), 'message:send', {
      conversationId: id,
      body: 'hi',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('refuses blocking oneself (400) and a user who does not exist (404)', async () => {
    const [ann] = await users(1);
    await block(ann, ann, 400);
    await http().put('/api/users/0123456789abcdef01234567/block').set(bearer(ann)).expect(404);
    await http().put('/api/users/not-an-id/block').set(bearer(ann)).expect(404);
  });
});
