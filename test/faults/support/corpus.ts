import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { Socket } from 'socket.io-client';
import { useOwnDatabase } from '../../support/own-database';
import {
  ack,
  bearer,
  connectSocket,
  directConversation,
  registerUser,
  sendOk,
  type TestApp,
  type TestUser,
} from '../../support/test-app';
import type { WireMessage } from '../../support/wire';
import { corpusSize, forStrings, universal, type Hostile } from './hostile-values';
import { record } from './report';

export interface Field {
  name: string;
  values: Hostile[];
  optional?: boolean;
}

const ERROR_CODES = ['VALIDATION_FAILED', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'UNAUTHORIZED'];

/** What the corpus runs against: three users, a direct conversation with a message, a group. */
export interface CorpusContext {
  t: TestApp;
  a: TestUser;
  b: TestUser;
  third: TestUser;
  direct: string;
  group: string;
  message: WireMessage;
  aSocket: Socket;
}

/**
 * The corpus harness (call inside a describe): its own database with a user `a` who sends every
 * hostile payload, a member `b` who must hear nothing of it, and `third`, a user to add. Each batch
 * runs after a valid control request and must change nothing; the scenario's figures are recorded
 * (and asserted) when the file is done.
 */
export function useCorpus(
  dbName: string,
  scenario: string,
  /** What the corpus is thrown at, for the report. */
  target: string,
  /** What one payload is called in the report: "REST requests" or "socket events". */
  sent: string,
) {
  const own = useOwnDatabase(dbName);
  let t: TestApp;
  let a: TestUser;
  let b: TestUser;
  let third: TestUser;
  let direct: string;
  let group: string;
  let message: WireMessage;
  let aSocket: Socket;
  let bSocket: Socket;
  const heardByB: string[] = [];
  const tally = { requests: 0, emits: 0, accepted: [] as string[], serverErrors: [] as string[] };
  const disconnects: string[] = [];

  beforeAll(async () => {
    t = own.app;
    [a, b, third] = [await registerUser(t), await registerUser(t), await registerUser(t)];
    direct = await directConversation(t, a, b);
    const created = await t
      .http()
      .post('/api/conversations')
      .set(bearer(a))
      .send({ title: 'corpus', memberIds: [b.id] })
      .expect(201);
    group = created.body.id as string;
    [aSocket, bSocket] = [await connectSocket(t, a.token), await connectSocket(t, b.token)];
    message = await sendOk(aSocket, { conversationId: direct, body: 'original' });
    // Presence is left out: the control request that creates a group introduces its members to
    // each other after it answers (PresenceService.membersJoined), so that event can land in the
    // batch's window; a hostile request that made members share a conversation would change a
    // document, which the snapshot catches.
    bSocket.onAny((event: string) => {
      if (event !== 'presence') heardByB.push(event);
    });
  });
  afterAll(() => {
    aSocket?.close();
    bSocket?.close();
    record({
      scenario,
      setup:
        `A corpus of ${corpusSize()} hostile values and query strings (operators, prototype keys, ` +
        'wrong types, huge and blank strings, deep and wide nesting, lone surrogates, invalid ' +
        `UTF-8 bytes, binary attachments) in place of every field and whole payload of ${target}.`,
      figures: [
        // At least one payload per hostile value, or the zeros below mean nothing.
        {
          name: sent,
          value: tally.requests + tally.emits,
          mustBeAtLeast: corpusSize(),
        },
        { name: 'accepted (2xx or ok: true)', value: tally.accepted.length, mustBeZero: true },
        { name: '5xx or INTERNAL', value: tally.serverErrors.length, mustBeZero: true },
        { name: 'connections dropped', value: disconnects.length, mustBeZero: true },
        { name: 'documents changed', value: changed, mustBeZero: true },
        { name: 'events that reached another member', value: heardTotal, mustBeZero: true },
      ],
    });
  });

  let changed = 0;
  let heardTotal = 0;
  async function snapshot(): Promise<string> {
    const connection = t.app.get<Connection>(getConnectionToken());
    const counts = await Promise.all(
      [
        'users',
        'conversations',
        'memberships',
        'messages',
        'readmarks',
        'deliverymarks',
        'changes',
        'reactions',
        'blocks',
      ].map(async (name) => `${name}=${await connection.collection(name).countDocuments()}`),
    );
    const stored = await connection.collection('messages').findOne({ body: 'original' });
    const titled = await connection.collection('conversations').findOne({ title: 'corpus' });
    const pins = await connection
      .collection('conversations')
      .countDocuments({ 'pinnedMessageIds.0': { $exists: true } });
    return `${counts.join(' ')} original=${stored ? 'kept' : 'changed'} title=${titled ? 'kept' : 'changed'} pinned=${pins}`;
  }
  /**
   * Everything the server sent b before now has arrived: b's own request is answered after it,
   * on the same connection.
   */
  const drainB = async (): Promise<void> => {
    await ack(bSocket, 'sync', { conversationId: direct, afterSeq: 0, limit: 1 });
  };

  /**
   * Runs the route's valid control request first (it must succeed: the path, the token and the
   * base payload are right, so a refusal below is the hostile value's doing), then the batch,
   * and checks the batch changed nothing in the database and reached no other member.
   */
  async function unchangedBy(control: () => Promise<void>, batch: () => Promise<void>) {
    await control();
    await drainB();
    heardByB.length = 0;
    const before = await snapshot();
    await batch();
    const after = await snapshot();
    if (after !== before) changed += 1;
    await drainB();
    heardTotal += heardByB.length;
    expect({ after, heard: heardByB }).toEqual({ after: before, heard: [] });
    await t.http().get('/api/health/ready').expect(200);
  }

  function variants(valid: Record<string, unknown>, fields: Field[]): [string, unknown][] {
    const out: [string, unknown][] = [];
    for (const field of fields)
      for (const hostile of field.values)
        if (!(field.optional && hostile.nullish))
          out.push([`${field.name}: ${hostile.name}`, { ...valid, [field.name]: hostile.value }]);
    for (const hostile of [...universal, ...forStrings])
      out.push([`whole payload: ${hostile.name}`, hostile.value]);
    return out;
  }

  /** A control request: valid in every way, so it must succeed. */
  function expectAccepted(what: string, status: number): void {
    expect({ control: what, status }).toEqual({
      control: what,
      status: status < 300 ? status : 'a 2xx',
    });
  }

  /** A refusal with one of `allowed` statuses and the contract's error body. */
  function expectRefused(what: string, allowed: number[], status: number, body: unknown): void {
    if (status < 300) tally.accepted.push(what);
    if (status >= 500) tally.serverErrors.push(what);
    const { statusCode, error, message } = (body ?? {}) as Record<string, unknown>;
    const refused =
      allowed.includes(status) &&
      statusCode === status &&
      ERROR_CODES.includes(String(error)) &&
      typeof message === 'string';
    // The failure message names the payload and shows what came back.
    expect({ what, status, error, refused }).toEqual({ what, status, error, refused: true });
  }

  return {
    context: (): CorpusContext => ({ t, a, b, third, direct, group, message, aSocket }),
    tally,
    disconnects,
    unchangedBy,
    variants,
    expectAccepted,
    expectRefused,
    errorCodes: ERROR_CODES,
  };
}
