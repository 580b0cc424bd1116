import { Types } from 'mongoose';
import { ReadGate } from '../../common/read-gate';
import type { Message } from '../../persistence/messages/message.schema';
import { dedupeKeyOf, type MessageDraft } from './message-draft';
import { messageIdFor } from './message-id';
import { ResendResolver } from './resend-resolver';

/** A store whose reads by id are counted and answered only when released. */
function heldStore() {
  const reads: string[] = [];
  const waiting: (() => void)[] = [];
  const stored = new Map<string, Message>();
  return {
    reads,
    stored,
    releaseAll: () => waiting.splice(0).forEach((release) => release()),
    store: {
      findById: (id: Types.ObjectId) => {
        reads.push(id.toHexString());
        return new Promise<Message | null>((resolve) =>
          waiting.push(() => resolve(stored.get(id.toHexString()) ?? null)),
        );
      },
      findDuplicate: () => Promise.resolve(null),
    },
  };
}

const sender = new Types.ObjectId();
const draftOf = (clientMsgId: string): MessageDraft => ({
  conversationId: new Types.ObjectId(),
  senderId: sender,
  receiverId: null,
  body: clientMsgId,
  clientMsgId,
  replyTo: null,
  mentions: [],
  attachments: [],
  recipients: [],
});
const storedAs = (draft: MessageDraft): Message =>
  ({
    _id: messageIdFor(sender, draft.clientMsgId ?? ''),
    senderId: sender,
    dedupeKey: dedupeKeyOf(draft),
  }) as unknown as Message;
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('ResendResolver: resend lookups are bounded', () => {
  it('reads a message once for all its resends that wait together', async () => {
    const held = heldStore();
    const resolver = new ResendResolver(
      held.store,
      new ReadGate({ inFlight: 1, queued: 10, maxWaitMs: 60_000 }),
    );
    const [busy, resent] = [draftOf('busy'), draftOf('resent')];
    for (const draft of [busy, resent]) {
      const message = storedAs(draft);
      resolver.stored(message);
      held.stored.set(message._id.toHexString(), message);
    }

    const first = resolver.storedLately(busy); // takes the one slot
    await turn();
    const resends = [1, 2, 3].map(() => resolver.storedLately(resent)); // wait together
    await turn();
    held.releaseAll();
    await first;
    await turn();
    held.releaseAll();
    const answers = await Promise.all(resends);
    expect(answers.map((message) => message?._id.toHexString())).toEqual(
      Array.from({ length: 3 }, () => storedAs(resent)._id.toHexString()),
    );
    expect(held.reads).toEqual([
      storedAs(busy)._id.toHexString(),
      storedAs(resent)._id.toHexString(),
    ]);
  });

  it('refuses a resend with UNAVAILABLE when too many lookups wait, without reading', async () => {
    const held = heldStore();
    const resolver = new ResendResolver(
      held.store,
      new ReadGate({ inFlight: 1, queued: 1, maxWaitMs: 60_000 }),
    );
    const drafts = ['a', 'b', 'c'].map(draftOf);
    for (const draft of drafts) resolver.stored(storedAs(draft));
    const running = resolver.storedLately(drafts[0]);
    const waiting = resolver.storedLately(drafts[1]);
    await expect(resolver.storedLately(drafts[2])).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    held.releaseAll();
    await running;
    await turn();
    held.releaseAll();
    await waiting;
    expect(held.reads).toHaveLength(2);
  });
});
