import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { ChatClient } from '../../client/src';
import { directConversation, registerUser, type TestUser, waitFor } from '../support/test-app';
import { driverPools } from '../support/driver-internals';
import { useOwnDatabase } from '../support/own-database';
import { auditStorage } from './support/audit';
import { percentile } from '@nest-chat/dev-tools';
import { LIVENESS_BOUND_MS, livenessFigure, record, reportDir, scaled } from './support/report';
import { Traffic, type SendRecord, type Sender } from './support/traffic';

const OUTAGE_MS = scaled(3_000, 10_000);
const SENDERS = scaled(6, 20);
const INTERVAL_MS = 200;
const KILLS = scaled(8, 25);

/**
 * kill -9 of the database while clients send steadily, each message with its own clientMsgId and
 * retried until acked (ChatClient.send). Owns its database, so killing it disturbs no other file.
 */
describe('fault: the database is killed under steady sends', () => {
  const own = useOwnDatabase('faults_db_kill');
  const clients: ChatClient[] = [];
  const senders: Sender[] = [];
  const conversationIds: string[] = [];
  let users: TestUser[] = [];
  beforeAll(async () => {
    users = await Promise.all(Array.from({ length: SENDERS }, () => registerUser(own.app)));
    for (let i = 0; i < users.length; i += 2) {
      const id = await directConversation(own.app, users[i], users[i + 1]);
      conversationIds.push(id);
      for (const user of [users[i], users[i + 1]]) {
        const client = new ChatClient({
          url: own.app.url,
          token: user.token,
          ackTimeoutMs: 3_000,
          retryBaseMs: 100,
          retryMaxMs: 1_000,
          socket: { transports: ['websocket'] },
        });
        clients.push(client);
        client.connect();
        senders.push({ client, userId: user.id, conversationIds: [id] });
      }
    }
    await waitFor(() => clients.every((client) => client.state === 'online'), 10_000);
  }, 60_000);
  afterAll(() => clients.forEach((client) => client.disconnect()));

  // A run that never recovered: what the app, its connection and the database were doing, to
  // tell a database it cannot reach from a stuck writer or a stuck driver.
  const diagnosis = async (): Promise<string[]> => [
    `clients online: ${clients.filter((client) => client.state === 'online').length} of ${clients.length}`,
    ...(await diagnose(
      own.app.url,
      own.app.app.get<Connection>(getConnectionToken()),
      conversationIds[0],
      users[0].token,
    )),
    `the database's log tail: ${own.logTail.slice(-1_500) || '(empty)'}`,
    `the database's goroutines: ${await goroutines(own.debugUrl)}`,
  ];

  it('loses no acked message, stores none twice, and recovers by itself', async () => {
    const traffic = new Traffic();
    traffic.start(senders, INTERVAL_MS);
    await sleep(2_000);
    const killedAt = Date.now();
    await own.kill();
    await sleep(OUTAGE_MS);
    await own.restart();
    const restartedAt = Date.now();
    await sleep(3_000);
    traffic.stop();
    const settled = await traffic.settled(60_000);
    const lastAnswerMs = traffic.lastAnswerAfterStopMs;

    const connection = own.app.app.get<Connection>(getConnectionToken());
    const audit = await auditStorage(connection, conversationIds, traffic.sends);
    const firstAckAfter = Math.min(
      ...traffic.acked.map((send) => send.ackedAt ?? Infinity).filter((at) => at >= restartedAt),
    );
    const outageSends = traffic.sends.filter(
      (send) => send.issuedAt >= killedAt && send.issuedAt < restartedAt,
    );
    const waitedForOutage = outageSends.map((send) => (send.ackedAt ?? Infinity) - send.issuedAt);
    const failed = traffic.sends.filter((send) => send.error).length;
    const unsettled = traffic.sends.filter((send) => !send.message && !send.error).length;
    // A run that never recovered (seen twice in full `npm test` runs, never alone): what the app
    // and its connection were doing then, to tell a database it cannot reach from a stuck writer.
    const notes = unsettled > 0 ? await diagnosis() : [];

    record({
      scenario: 'Database killed',
      setup:
        `${SENDERS} clients in ${conversationIds.length} direct conversations each send a message ` +
        `every ${INTERVAL_MS} ms (ChatClient.send: one clientMsgId per message, retried until ` +
        `acked); the database gets kill -9 after 2 s and is restarted ${OUTAGE_MS / 1000} s later.`,
      figures: [
        livenessFigure(lastAnswerMs),
        // Each sender has at least 5 s of traffic at one send per INTERVAL_MS: 25 each, and 15
        // of them during the outage; half of that is enough to show the run did its work.
        { name: 'sends', value: traffic.sends.length, mustBeAtLeast: SENDERS * 12 },
        {
          name: 'sends issued during the outage',
          value: outageSends.length,
          mustBeAtLeast: SENDERS * 5,
        },
        { name: 'acked', value: traffic.acked.length },
        { name: 'acked but missing from history', value: audit.ackedMissing, mustBeZero: true },
        { name: 'duplicates in history', value: audit.duplicates, mustBeZero: true },
        { name: 'seq gaps or repeats', value: audit.seqFaults, mustBeZero: true },
        { name: 'refused (not retryable)', value: failed, mustBeZero: true },
        { name: 'still unacked 60 s after traffic stopped', value: unsettled, mustBeZero: true },
        { name: 'stored but never acked', value: audit.storedNeverAcked },
        {
          name: 'database back → first ack',
          value: Number.isFinite(firstAckAfter) ? firstAckAfter - restartedAt : 'none',
          unit: 'ms',
        },
        {
          name: 'database back → every send of the outage acked',
          value: Math.max(...outageSends.map((send) => (send.ackedAt ?? Infinity) - restartedAt)),
          unit: 'ms',
        },
        {
          name: 'send→ack of sends issued during the outage, p50 / p99',
          value: `${percentile(waitedForOutage, 50)} / ${percentile(waitedForOutage, 99)}`,
          unit: 'ms',
        },
      ],
      ...(notes.length > 0 ? { notes } : {}),
    });

    expect(settled).toBe(true);
    expect(lastAnswerMs).toBeLessThan(LIVENESS_BOUND_MS);
    expect({
      ackedMissing: audit.ackedMissing,
      duplicates: audit.duplicates,
      seqFaults: audit.seqFaults,
      failed,
      unsettled,
    }).toEqual({ ackedMissing: 0, duplicates: 0, seqFaults: 0, failed: 0, unsettled: 0 });
    expect(traffic.acked.length).toBe(traffic.sends.length);
    expect(audit.stored).toBe(traffic.sends.length);
  }, 180_000);

  // A kill lands at a different moment of the driver's work each time; one moment in a few dozen
  // left a command waiting for ever (the driver's drain wait, patched: patches/). So, many kills.
  it('recovers after every one of many kills in a row', async () => {
    const connection = own.app.app.get<Connection>(getConnectionToken());
    const all: SendRecord[] = [];
    const recoveries: number[] = [];
    const notes: string[] = [];
    let stuck = 0;
    for (let kill = 0; kill < KILLS; kill += 1) {
      const traffic = new Traffic();
      traffic.start(senders, INTERVAL_MS);
      await sleep(500 + Math.random() * 1_500);
      await own.kill();
      await sleep(Math.random() * 3_000);
      await own.restart();
      await sleep(1_000);
      traffic.stop();
      const settled = await traffic.settled(30_000);
      recoveries.push(traffic.lastAnswerAfterStopMs);
      all.push(...traffic.sends);
      if (!settled) {
        stuck += 1;
        // Slow or stuck for good? Given another minute, a slow database answers.
        notes.push(...(await diagnosis()));
        notes.push(`answered within another 60 s: ${await traffic.settled(60_000)}`);
        break;
      }
    }
    const audit = await auditStorage(connection, conversationIds, all);
    const unsettled = all.filter((send) => !send.message && !send.error).length;

    record({
      scenario: 'Database killed again and again',
      setup:
        `The same ${SENDERS} clients send a message every ${INTERVAL_MS} ms each; ${KILLS} ` +
        'times: 0.5 to 2 s of traffic, kill -9 of the database, 0 to 3 s down, restart, 1 s ' +
        'more, traffic stops and every send must be answered before the next kill.',
      figures: [
        { name: 'kills', value: recoveries.length, mustBeAtLeast: KILLS },
        { name: 'kills after which some send was never answered', value: stuck, mustBeZero: true },
        livenessFigure(Math.max(...recoveries)),
        { name: 'sends', value: all.length, mustBeAtLeast: KILLS * SENDERS },
        { name: 'acked but missing from history', value: audit.ackedMissing, mustBeZero: true },
        { name: 'duplicates in history', value: audit.duplicates, mustBeZero: true },
        { name: 'seq gaps or repeats', value: audit.seqFaults, mustBeZero: true },
        {
          name: 'refused (not retryable)',
          value: all.filter((send) => send.error).length,
          mustBeZero: true,
        },
        { name: 'still unacked', value: unsettled, mustBeZero: true },
      ],
      ...(notes.length > 0 ? { notes } : {}),
    });
    expect({ stuck, unsettled, ...audit }).toMatchObject({
      stuck: 0,
      unsettled: 0,
      ackedMissing: 0,
      duplicates: 0,
      seqFaults: 0,
    });
  }, 900_000);
});

/** The connection's state, a ping, one REST send's answer, and the database error count. */
async function diagnose(
  url: string,
  connection: Connection,
  conversationId: string,
  token: string,
): Promise<string[]> {
  const notes = [`mongoose readyState: ${connection.readyState}`, driverPoolsNote(connection)];
  const timed = <T>(work: Promise<T>): Promise<T | string> =>
    Promise.race([work, sleep(5_000).then(() => 'no answer in 5 s')]);
  const ping: Promise<unknown> = connection.db
    ? connection.db.admin().ping()
    : Promise.resolve('no db');
  notes.push(`ping: ${JSON.stringify(await timed(ping).catch(String))}`);
  // Straight to the database, past the app: does it still write, and read messages?
  const probes = connection.db;
  if (probes) {
    const write = probes.collection('diagnostics').insertOne({ at: new Date() });
    notes.push(`an insert past the app: ${JSON.stringify(await timed(write).catch(String))}`);
    const read = probes.collection('messages').countDocuments({});
    notes.push(`a count of messages past the app: ${await timed(read).catch(String)}`);
  }
  const send = fetch(`${url}/api/conversations/${conversationId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ body: 'diagnostic' }),
  }).then(async (response) => `${response.status} ${await response.text()}`);
  notes.push(`a REST send: ${String(await timed(send).catch(String)).slice(0, 300)}`);
  const metrics = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) }).then(
    (response) => response.text(),
    String,
  );
  notes.push(
    ...metrics
      .split('\n')
      .filter((line) => /^chat_(database_errors|messages_stored|message_writer_load)/.test(line)),
  );
  return notes;
}

/** What the driver's pools hold: a connection checked out for ever is a stuck command. */
function driverPoolsNote(connection: Connection): string {
  const pools = driverPools(connection.getClient()).map(
    (pool) =>
      `${pool.poolState}, ${pool.checkedOut.size} checked out, ${pool.waitQueue.length} waiting`,
  );
  return `driver pools: ${pools.join('; ') || 'none'}`;
}

/**
 * FerretDB's goroutines (all of them to a file in the report directory), and here the stacks
 * that run its own code: a database stuck on a lock shows there.
 */
async function goroutines(debugUrl: string | undefined): Promise<string> {
  if (!debugUrl) return '(no debug handler)';
  const dump = await fetch(`${debugUrl}/debug/pprof/goroutine?debug=1`, {
    signal: AbortSignal.timeout(5_000),
  }).then((response) => response.text(), String);
  const file = join(reportDir(), 'database-kill-goroutines.txt');
  mkdirSync(reportDir(), { recursive: true });
  writeFileSync(file, dump);
  const stacks = dump
    .split('\n\n')
    .filter((stack) => /ferretdb\/internal/i.test(stack))
    .map((stack) =>
      stack
        .split('\n')
        .map((line) => /^(\d+ @)|#\s+0x\w+\s+(\S+)/.exec(line))
        .filter((match) => match !== null)
        .map((match) => match[1] ?? match[2].split('/').pop())
        .join(' < '),
    );
  return `${dump.split('\n')[0]} (all in ${file}); ours: ${stacks.join(' | ').slice(0, 3_000)}`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
