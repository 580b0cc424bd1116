import { getConnectionToken } from '@nestjs/mongoose';
import { Types, type Connection } from 'mongoose';
import type { Change, ChangesPage, ConversationChangedEvent, Message } from '@nest-chat/protocol';
import { conversationHelpers, type MessageAck } from './support/conversation-helpers';
import {
  ack,
  bearer,
  collect,
  directConversation,
  getHistory,
  sendOk,
  settle,
  waitFor,
  useTestApp,
  type TestApp,
  type TestUser,
} from './support/test-app';
import type { SendAck, WireAck } from './support/wire';

type ChangesAck = WireAck<ChangesPage>;

describe('rich messages: replies, mentions, reactions, pins', () => {
  const suite = useTestApp();
  const { connect, users, group, conversation, makeAdmin } = conversationHelpers(suite);
  let t: TestApp;
  beforeAll(() => {
    t = suite.app;
  });

  const reactPath = (messageId: string, emoji: string) =>
    `/api/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`;
  const react = (user: TestUser, messageId: string, emoji: string, status = 204) =>
    t.http().put(reactPath(messageId, emoji)).set(bearer(user)).expect(status);
  const unreact = (user: TestUser, messageId: string, emoji: string, status = 204) =>
    t.http().delete(reactPath(messageId, emoji)).set(bearer(user)).expect(status);
  const pin = (user: TestUser, messageId: string, status = 204) =>
    t.http().put(`/api/messages/${messageId}/pin`).set(bearer(user)).expect(status);
  const unpin = (user: TestUser, messageId: string, status = 204) =>
    t.http().delete(`/api/messages/${messageId}/pin`).set(bearer(user)).expect(status);
  const changesAfter = async (user: TestUser, id: string, afterRev: number): Promise<Change[]> => {
    const response = await t
      .http()
      .get(`/api/conversations/${id}/changes?afterRev=${afterRev}`)
      .set(bearer(user))
      .expect(200);
    return (response.body as ChangesPage).items;
  };
  const historyMessage = async (user: TestUser, id: string, messageId: string) =>
    (await getHistory(t, user, id)).items.find((m) => m.id === messageId);

  describe('storage', () => {
    it('writes a plain message without its empty parts; every read shows them empty', async () => {
      const [a, b] = await users(2);
      const id = await group(a, [b]);
      const message = await sendOk(await connect(a), { conversationId: id, body: 'plain' });
      const db = t.app.get<Connection>(getConnectionToken());
      const stored = await db
        .collection('messages')
        .findOne({ _id: new Types.ObjectId(message.id) });
      for (const part of ['replyTo', 'mentions', 'reactions', 'attachments', 'rev']) {
        expect(stored).not.toHaveProperty(part);
      }
      const expected = { replyTo: null, mentions: [], reactions: [], attachments: [], rev: 0 };
      expect(message).toMatchObject(expected);
      expect(await historyMessage(b, id, message.id)).toMatchObject(expected);
      // A reaction on it is stored and shown as on any message.
      await react(b, message.id, '👍');
      expect((await historyMessage(a, id, message.id))?.reactions).toEqual([
        { emoji: '👍', count: 1, userIds: [b.id] },
      ]);
    });
  });

  describe('replies', () => {
    it('stores a quote of the message replied to, by socket and REST', async () => {
      const [a, b] = await users(2);
      const id = await directConversation(t, a, b);
      const aSocket = await connect(a);
      const original = await sendOk(aSocket, {
        conversationId: id,
        body: `long ${'x'.repeat(300)}`,
      });
      const reply = await sendOk(aSocket, {
        conversationId: id,
        body: 'yes',
        replyToId: original.id,
      });
      expect(reply.replyTo).toEqual({
        id: original.id,
        seq: original.seq,
        senderId: a.id,
        excerpt: original.body.slice(0, 200),
      });
      expect(reply.seq).toBe(original.seq + 1);

      const viaRest = await t
        .http()
        .post(`/api/conversations/${id}/messages`)
        .set(bearer(b))
        .send({ body: 'me too', replyToId: reply.id })
        .expect(201);
      expect((viaRest.body as Message).replyTo).toMatchObject({ id: reply.id, excerpt: 'yes' });
      // History carries the quote; an ordinary message has none.
      const { items } = await getHistory(t, a, id);
      expect(items.map((m) => m.replyTo?.id ?? null)).toEqual([null, original.id, reply.id]);
    });

    it('quotes a deleted message with an empty excerpt', async () => {
      const [a, b] = await users(2);
      const id = await directConversation(t, a, b);
      const aSocket = await connect(a);
      const gone = await sendOk(aSocket, { conversationId: id, body: 'oops' });
      await ack<MessageAck>(aSocket, 'message:delete', { messageId: gone.id });
      const reply = await sendOk(aSocket, {
        conversationId: id,
        body: 'what?',
        replyToId: gone.id,
      });
      expect(reply.replyTo).toMatchObject({ id: gone.id, excerpt: '' });
    });

    it('refuses a reply to a message of another conversation with NOT_FOUND and stores nothing', async () => {
      const [a, b, c] = await users(3);
      const here = await directConversation(t, a, b);
      const there = await directConversation(t, a, c);
      const aSocket = await connect(a);
      const elsewhere = await sendOk(aSocket, { conversationId: there, body: 'over there' });
      const refused = await ack<SendAck>(aSocket, 'message:send', {
        conversationId: here,
        body: 'reply across',
        replyToId: elsewhere.id,
      });
      expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      await t
        .http()
        .post(`/api/conversations/${here}/messages`)
        .set(bearer(a))
        .send({ body: 'reply across', replyToId: 'not-an-id' })
        .expect(404);
      expect((await getHistory(t, a, here)).items).toEqual([]);
      // The socket keeps serving.
      await sendOk(aSocket, { conversationId: here, body: 'still fine' });
    });
  });

  describe('mentions', () => {
    it('stores members named with @ (not strangers), and counts unread mentions per user', async () => {
      const [a, b, c, stranger] = await users(4);
      const id = await group(a, [b, c]);
      const aSocket = await connect(a);
      const m1 = await sendOk(aSocket, {
        conversationId: id,
        body: `hi @${b.username} and @${stranger.username}, mail me at x@${c.username}.com`,
      });
      expect(m1.mentions).toEqual([b.id]);
      await sendOk(aSocket, { conversationId: id, body: `@${b.username.toUpperCase()}: again` });
      await sendOk(aSocket, { conversationId: id, body: `and @${c.username}.` });

      expect(await conversation(b, id)).toMatchObject({ unreadCount: 3, mentionCount: 2 });
      expect(await conversation(c, id)).toMatchObject({ unreadCount: 3, mentionCount: 1 });
      expect(await conversation(a, id)).toMatchObject({ unreadCount: 0, mentionCount: 0 });
      await t
        .http()
        .post(`/api/conversations/${id}/read`)
        .set(bearer(b))
        .send({ seq: m1.seq })
        .expect(204);
      const list = await t.http().get('/api/conversations').set(bearer(b)).expect(200);
      expect((list.body as { id: string; mentionCount: number }[])[0]).toMatchObject({
        id,
        mentionCount: 1,
      });
    });

    it('takes the mentions of an edited body', async () => {
      const [a, b, c] = await users(3);
      const id = await group(a, [b, c]);
      const aSocket = await connect(a);
      const message = await sendOk(aSocket, { conversationId: id, body: `@${b.username} look` });
      const edited = await ack<MessageAck>(aSocket, 'message:edit', {
        messageId: message.id,
        body: `@${c.username} look`,
      });
      expect(edited.ok && edited.message.mentions).toEqual([c.id]);
      expect(await conversation(b, id)).toMatchObject({ mentionCount: 0 });
      expect(await conversation(c, id)).toMatchObject({ mentionCount: 1 });
    });
  });

  describe('reactions', () => {
    it('counts reactions per emoji, sets and unsets idempotently, and tells the members live', async () => {
      const [a, b, c] = await users(3);
      const id = await group(a, [b, c]);
      const aSocket = await connect(a);
      const updates = collect<Message>(aSocket, 'message:updated');
      const message = await sendOk(aSocket, { conversationId: id, body: 'react to me' });
      const before = (await conversation(a, id)).lastRev;

      await react(b, message.id, '👍');
      await react(c, message.id, '👍');
      const viaSocket = await ack<MessageAck>(await connect(c), 'reaction', {
        messageId: message.id,
        emoji: ':tada:',
        on: true,
      });
      expect(viaSocket.ok && viaSocket.message.reactions).toEqual([
        { emoji: '👍', count: 2, userIds: [b.id, c.id] },
        { emoji: ':tada:', count: 1, userIds: [c.id] },
      ]);
      expect(viaSocket.ok && viaSocket.message.rev).toBe(before + 3);
      // Setting what is set takes no rev and emits nothing.
      await react(b, message.id, '👍');
      await unreact(a, message.id, '👍');
      expect((await conversation(a, id)).lastRev).toBe(before + 3);

      await unreact(b, message.id, '👍');
      await waitFor(() => updates.length === 4);
      expect(
        updates.map((m) => [m.rev - before, m.reactions.map((r) => [r.emoji, r.count])]),
      ).toEqual([
        [1, [['👍', 1]]],
        [2, [['👍', 2]]],
        [
          3,
          [
            ['👍', 2],
            [':tada:', 1],
          ],
        ],
        [
          4,
          [
            ['👍', 1],
            [':tada:', 1],
          ],
        ],
      ]);
      expect((await historyMessage(a, id, message.id))?.reactions).toEqual([
        { emoji: '👍', count: 1, userIds: [c.id] },
        { emoji: ':tada:', count: 1, userIds: [c.id] },
      ]);
      const feed = await changesAfter(a, id, before);
      expect(feed.map((change) => [change.kind, change.actorId, change.message?.rev])).toEqual([
        ['reaction', b.id, before + 1],
        ['reaction', c.id, before + 2],
        ['reaction', c.id, before + 3],
        ['reaction', b.id, before + 4],
      ]);
      await settle();
      expect(updates).toHaveLength(4);
    });

    it('keeps an edit and the reactions of one message both', async () => {
      const [a, b] = await users(2);
      const id = await directConversation(t, a, b);
      const aSocket = await connect(a);
      const message = await sendOk(aSocket, { conversationId: id, body: 'v1' });
      await react(b, message.id, '❤️');
      await ack<MessageAck>(aSocket, 'message:edit', { messageId: message.id, body: 'v2' });
      await react(a, message.id, '❤️');
      const stored = await historyMessage(b, id, message.id);
      expect(stored).toMatchObject({ body: 'v2', reactions: [{ emoji: '❤️', count: 2 }] });
    });

    it('names the first ten who reacted, and counts everyone', async () => {
      const [a, ...others] = await users(12);
      const id = await group(a, others);
      const message = await sendOk(await connect(a), { conversationId: id, body: 'popular' });
      for (const user of others) await react(user, message.id, '🎉');
      const [summary] = (await historyMessage(a, id, message.id))?.reactions ?? [];
      expect(summary).toEqual({
        emoji: '🎉',
        count: 11,
        userIds: others.slice(0, 10).map((u) => u.id),
      });
    });

    it('refuses a 21st distinct emoji and a reaction to a deleted message with CONFLICT', async () => {
      const [a, b] = await users(2);
      const id = await directConversation(t, a, b);
      const aSocket = await connect(a);
      const message = await sendOk(aSocket, { conversationId: id, body: 'many' });
      for (let i = 0; i < 20; i++) await react(a, message.id, `:e${i}:`);
      const refused = await react(b, message.id, ':one_too_many:', 409);
      expect(refused.body).toMatchObject({ error: 'CONFLICT' });
      // One of the twenty is still fine to add to.
      await react(b, message.id, ':e0:');
      expect((await historyMessage(a, id, message.id))?.reactions).toHaveLength(20);

      const gone = await sendOk(aSocket, { conversationId: id, body: 'gone' });
      await ack<MessageAck>(aSocket, 'message:delete', { messageId: gone.id });
      await react(b, gone.id, '👍', 409);
    });

    it('answers NOT_FOUND for a message outside the user’s conversations', async () => {
      const [a, b, stranger] = await users(3);
      const id = await directConversation(t, a, b);
      const message = await sendOk(await connect(a), { conversationId: id, body: 'private' });
      await react(stranger, message.id, '👍', 404);
      const reply = await ack<MessageAck>(await connect(stranger), 'reaction', {
        messageId: message.id,
        emoji: '👍',
        on: true,
      });
      expect(reply).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect((await historyMessage(a, id, message.id))?.reactions).toEqual([]);
    });
  });

  describe('pins', () => {
    it('pins and unpins through the feed: the view lists them, members hear it, repeats take no rev', async () => {
      const [a, b] = await users(2);
      const id = await group(a, [b]);
      const aSocket = await connect(a);
      const bSocket = await connect(b);
      const heard = collect<ConversationChangedEvent>(bSocket, 'conversation:updated');
      const m1 = await sendOk(aSocket, { conversationId: id, body: 'pin me' });
      const m2 = await sendOk(aSocket, { conversationId: id, body: 'and me' });
      const initial = (await conversation(a, id)).lastRev;

      // In a group, the admins and the owner pin: b after being made an admin.
      await pin(b, m1.id, 403);
      await makeAdmin(a, id, b);
      const before = (await conversation(a, id)).lastRev;
      expect(before).toBe(initial + 1); // the role change
      await pin(b, m1.id);
      await pin(a, m2.id);
      await pin(a, m2.id);
      expect(await conversation(b, id)).toMatchObject({
        pinnedMessageIds: [m1.id, m2.id],
        lastRev: before + 2,
      });
      await unpin(a, m1.id);
      await unpin(a, m1.id);
      expect(await conversation(a, id)).toMatchObject({
        pinnedMessageIds: [m2.id],
        lastRev: before + 3,
      });

      await waitFor(() => heard.length === 4);
      expect(
        heard
          .slice(1)
          .map((e) => [e.kind, e.rev - before, e.message?.id, e.conversation.pinnedMessageIds]),
      ).toEqual([
        ['pin', 1, m1.id, [m1.id]],
        ['pin', 2, m2.id, [m1.id, m2.id]],
        ['pin', 3, m1.id, [m2.id]],
      ]);
      const feed = await changesAfter(b, id, before);
      expect(
        feed.map((c) => [c.kind, c.message?.id, c.message?.rev, c.conversation?.pinnedMessageIds]),
      ).toEqual([
        ['pin', m1.id, 0, [m2.id]],
        ['pin', m2.id, 0, [m2.id]],
        ['pin', m1.id, 0, [m2.id]],
      ]);
    });

    it('refuses strangers (404) and deleted messages (409)', async () => {
      const [a, b, stranger] = await users(3);
      const id = await directConversation(t, a, b);
      const aSocket = await connect(a);
      const message = await sendOk(aSocket, { conversationId: id, body: 'mine' });
      await pin(stranger, message.id, 404);
      await ack<MessageAck>(aSocket, 'message:delete', { messageId: message.id });
      await pin(b, message.id, 409);
      expect((await conversation(a, id)).pinnedMessageIds).toEqual([]);
    });
  });

  it('catches a client that was away up on reactions and pins through changes', async () => {
    const [a, b] = await users(2);
    const id = await group(a, [b]);
    const aSocket = await connect(a);
    const message = await sendOk(aSocket, { conversationId: id, body: 'while you were out' });
    const { lastRev: heldRev } = await conversation(b, id);

    // b is offline for these.
    await react(a, message.id, '👀');
    await pin(a, message.id);
    await react(a, message.id, '🔥');

    const bSocket = await connect(b);
    const page = await ack<ChangesAck>(bSocket, 'changes', {
      conversationId: id,
      afterRev: heldRev,
    });
    if (!page.ok) throw new Error(page.error.code);
    expect(page.items.map((c) => [c.rev - heldRev, c.kind])).toEqual([
      [1, 'reaction'],
      [2, 'pin'],
      [3, 'reaction'],
    ]);
    expect(page.lastRev).toBe(heldRev + 3);
    // Applied in rev order, the last message state is history's.
    const last = page.items[2].message;
    expect(last?.reactions.map((r) => r.emoji)).toEqual(['👀', '🔥']);
    expect(await historyMessage(b, id, message.id)).toMatchObject({
      rev: heldRev + 3,
      reactions: last?.reactions,
    });
    expect(page.items[1].conversation?.pinnedMessageIds).toEqual([message.id]);
  });
});
