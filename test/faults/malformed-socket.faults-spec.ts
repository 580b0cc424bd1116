import { ack, sendOk, uniqueName } from '../support/test-app';
import type { WireMessage } from '../support/wire';
import { useCorpus, type CorpusContext, type Field } from './support/corpus';
import {
  forBooleans,
  forEmoji,
  forIds,
  forIntegers,
  forKeys,
  forStrings,
  forText,
  universal,
} from './support/hostile-values';

/**
 * The hostile corpus on every socket.io event: each payload must get the contract's error, store
 * nothing, change nothing, reach nobody, and leave the server and the socket serving. Owns its
 * database, so "nothing changed" is an exact count.
 */
describe('fault: injection and malformed input (socket.io)', () => {
  const corpus = useCorpus(
    'faults_corpus_socket',
    'Injection and malformed input (socket.io)',
    'every socket.io event',
    'socket events',
  );
  const { tally, disconnects, unchangedBy, variants, errorCodes } = corpus;
  let a: CorpusContext['a'];
  let b: CorpusContext['b'];
  let direct: CorpusContext['direct'];
  let message: CorpusContext['message'];
  let aSocket: CorpusContext['aSocket'];
  beforeAll(() => {
    ({ a, b, direct, message, aSocket } = corpus.context());
  });

  const event = (label: string): string => label.split(' ')[0];

  // A message the control of message:delete deletes (the shared one must stay).
  let doomed: WireMessage | undefined;

  /** [label (the event, then what is special), valid payload, fields, set-up for the control] */
  /** The page size of `sync` and `changes`: 1–100. */
  const pageLimit = {
    name: 'limit',
    values: [...universal, ...forIntegers, { name: '101', value: 101 }, { name: '0', value: 0 }],
    optional: true,
  };
  const socketEvents: [string, () => Record<string, unknown>, Field[], (() => Promise<void>)?][] = [
    [
      'message:send',
      () => ({ conversationId: direct, body: 'valid', clientMsgId: uniqueName('s') }),
      [
        { name: 'conversationId', values: [...universal, ...forIds] },
        { name: 'body', values: [...universal, ...forText] },
        { name: 'clientMsgId', values: [...universal, ...forKeys], optional: true },
        { name: 'replyToId', values: [...universal, ...forIds], optional: true },
        { name: 'attachments', values: [...universal], optional: true },
      ],
      undefined,
    ],
    [
      // `to` alone names the conversation here, so a hostile `to` is the only thing wrong.
      'message:send to a user',
      () => ({ to: b.id, body: 'valid', clientMsgId: uniqueName('s') }),
      [{ name: 'to', values: [...universal, ...forIds] }],
      undefined,
    ],
    [
      'message:edit',
      () => ({ messageId: message.id, body: 'original' }),
      [
        { name: 'messageId', values: [...universal, ...forIds] },
        { name: 'body', values: [...universal, ...forText] },
      ],
      undefined,
    ],
    [
      'message:delete',
      () => ({ messageId: doomed?.id ?? message.id }),
      [{ name: 'messageId', values: [...universal, ...forIds] }],
      async () => {
        doomed = await sendOk(aSocket, { conversationId: direct, body: 'to delete' });
      },
    ],
    [
      'reaction',
      () => ({ messageId: message.id, emoji: '👍', on: true }),
      [
        { name: 'messageId', values: [...universal, ...forIds] },
        { name: 'emoji', values: [...universal, ...forEmoji] },
        { name: 'on', values: [...universal, ...forBooleans] },
      ],
      undefined,
    ],
    [
      'read',
      () => ({ conversationId: direct, seq: 1 }),
      [
        { name: 'conversationId', values: [...universal, ...forIds] },
        { name: 'seq', values: [...universal, ...forIntegers] },
      ],
      undefined,
    ],
    [
      'delivered',
      // seq 0 never moves the pointer: the control stores nothing behind its ack.
      () => ({ conversationId: direct, seq: 0 }),
      [
        { name: 'conversationId', values: [...universal, ...forIds] },
        { name: 'seq', values: [...universal, ...forIntegers] },
      ],
      undefined,
    ],
    [
      'sync',
      () => ({ conversationId: direct, afterSeq: 0, limit: 10 }),
      [
        { name: 'conversationId', values: [...universal, ...forIds] },
        { name: 'afterSeq', values: [...universal, ...forIntegers] },
        { name: 'beforeSeq', values: [...universal, ...forIntegers], optional: true },
        {
          name: 'except',
          values: [
            ...universal,
            { name: 'a run of strings', value: [['1', '2']] },
            { name: 'a reversed run', value: [[5, 2]] },
            { name: 'a run from 0', value: [[0, 2]] },
            { name: 'a run of three', value: [[1, 2, 3]] },
            { name: 'an operator in a run', value: [[{ $gt: 0 }, 2]] },
            { name: '21 runs', value: Array.from({ length: 21 }, (_, i) => [i + 1, i + 1]) },
            { name: 'deeply nested', value: [[[[[[1]]]]]] },
          ],
          optional: true,
        },
        pageLimit,
      ],
      undefined,
    ],
    [
      'changes',
      () => ({ conversationId: direct, afterRev: 0, limit: 10 }),
      [
        { name: 'conversationId', values: [...universal, ...forIds] },
        { name: 'afterRev', values: [...universal, ...forIntegers] },
        pageLimit,
      ],
      undefined,
    ],
    [
      'auth:refresh',
      // The socket's own token: a renewal that changes nothing.
      () => ({ accessToken: a.token }),
      [{ name: 'accessToken', values: [...universal, ...forStrings] }],
      undefined,
    ],
    [
      'typing',
      () => ({ conversationId: direct, typing: true }),
      [
        { name: 'conversationId', values: [...universal, ...forIds] },
        { name: 'typing', values: [...universal, ...forBooleans] },
      ],
      undefined,
    ],
  ];

  it.each(socketEvents)(
    'socket.io %s: every hostile payload is refused',
    (label, valid, fields, setUp) =>
      unchangedBy(
        async () => {
          await setUp?.();
          const reply = await ack<{ ok: boolean }>(aSocket, event(label), valid());
          expect({ control: label, reply }).toEqual({
            control: label,
            reply: expect.objectContaining({ ok: true }) as unknown,
          });
        },
        async () => {
          const binary = Buffer.from([0xff, 0xfe, 0x00, 0x01]);
          const payloads: [string, unknown][] = [
            ...variants(valid(), fields),
            ['whole payload: binary attachment', binary],
            ...fields.map((field): [string, unknown] => [
              `${field.name}: binary attachment`,
              { ...valid(), [field.name]: binary },
            ]),
            ['an extra key', { ...valid(), senderId: b.id, isAdmin: true }],
          ];
          for (const [what, payload] of payloads) {
            tally.emits += 1;
            const reply = await ack<{ ok: boolean; error?: { code: string } }>(
              aSocket,
              event(label),
              payload,
            );
            if (reply.ok) tally.accepted.push(`${label} ${what}`);
            if (reply.error?.code === 'INTERNAL') tally.serverErrors.push(`${label} ${what}`);
            const refused =
              !reply.ok &&
              errorCodes.includes(reply.error?.code ?? '') &&
              Object.keys(reply).length === 2;
            expect({ what, reply, refused }).toEqual({ what, reply, refused: true });
          }
          // Checked here, not by listening: the teardown closes the connection on purpose.
          if (!aSocket.connected) disconnects.push(label);
          expect(aSocket.connected).toBe(true);
        },
      ),
  );
});
