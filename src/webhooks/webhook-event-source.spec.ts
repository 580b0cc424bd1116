import fc from 'fast-check';
import { Types } from 'mongoose';
import type { ChangeFeed } from '../conversations/change-feed';
import type { ChangeDto } from '../conversations/dto/change.dto';
import type { ConversationsRepository } from '../persistence/conversations/conversations.repository';
import type { Message } from '../persistence/messages/message.schema';
import type { MessagesRepository } from '../persistence/messages/messages.repository';
import { WebhookEventSource } from './webhook-event-source';

/** A conversation's history: messages and changes, each with a time that may run a little out of step. */
const history = fc
  .array(
    fc.record({
      kind: fc.constantFrom('send', 'edit', 'member'),
      // Times from several processes' clocks: not always in the order things were stored.
      skewMs: fc.integer({ min: -30, max: 30 }),
      target: fc.nat(),
    }),
    { maxLength: 40 },
  )
  .map((steps) => {
    const conversationId = new Types.ObjectId();
    const messages: Message[] = [];
    const changes: ChangeDto[] = [];
    let clock = 1_000_000;
    for (const step of steps) {
      clock += 10;
      const at = new Date(clock + step.skewMs);
      if (step.kind === 'send' || messages.length === 0) {
        messages.push({
          _id: new Types.ObjectId(),
          conversationId,
          seq: messages.length + 1,
          senderId: new Types.ObjectId(),
          body: 'x',
          createdAt: at,
        } as Message);
      } else {
        const about = step.kind === 'edit' ? messages[step.target % messages.length] : undefined;
        changes.push({
          rev: changes.length + 1,
          kind: about ? 'message:updated' : 'member:joined',
          at,
          actorId: new Types.ObjectId().toHexString(),
          ...(about && { message: { id: about._id.toHexString(), seq: about.seq } }),
        } as ChangeDto);
      }
    }
    return { conversationId, messages, changes };
  });

describe('WebhookEventSource', () => {
  it('yields every message once in seq order and every change once in rev order, never a change before its message', async () => {
    await fc.assert(
      fc.asyncProperty(
        history,
        fc.integer({ min: 1, max: 5 }),
        async ({ conversationId, messages, changes }, readAhead) => {
          const source = new WebhookEventSource(
            {
              page: (_id: Types.ObjectId, seqs: { $gt: number }, limit: number) =>
                Promise.resolve(messages.filter((m) => m.seq > seqs.$gt).slice(0, limit)),
            } as unknown as MessagesRepository,
            {} as ConversationsRepository,
            {
              after: (_id: Types.ObjectId, afterRev: number, limit: number) =>
                Promise.resolve({ items: changes.filter((c) => c.rev > afterRev).slice(0, limit) }),
            } as unknown as ChangeFeed,
          );
          let cursor = { seq: 0, rev: 0, created: true };
          const seen: string[] = [];
          // However many one read fetches, the order is the same.
          for (;;) {
            const { events } = await source.read(conversationId, cursor, readAhead);
            if (events.length === 0) break;
            for (const event of events) {
              seen.push(
                event.type === 'message.created' ? `m${cursor.seq + 1}` : `c${cursor.rev + 1}`,
              );
              cursor = event.after;
            }
          }
          const messageOrder = seen.filter((item) => item.startsWith('m'));
          const changeOrder = seen.filter((item) => item.startsWith('c'));
          expect(messageOrder).toEqual(messages.map((m) => `m${m.seq}`));
          expect(changeOrder).toEqual(changes.map((c) => `c${c.rev}`));
          for (const change of changes) {
            if (!change.message) continue;
            expect(seen.indexOf(`m${change.message.seq}`)).toBeLessThan(
              seen.indexOf(`c${change.rev}`),
            );
          }
        },
      ),
    );
  });
});
