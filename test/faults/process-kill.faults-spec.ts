import mongoose from 'mongoose';
import { ChatClient, type Message } from '../../client/src';
import { startCutProxy, type CutProxy } from '../support/cut-proxy';
import { useOwnDatabase } from '../support/own-database';
import { startRedis, startServer, type Running } from '../support/processes';
import { uniqueName, waitFor } from '../support/test-app';
import { auditDelivery, auditStorage, caughtUp, totalDelivery, storedById } from './support/audit';
import { percentile } from '@nest-chat/dev-tools';
import { LIVENESS_BOUND_MS, livenessFigure, record, scaled } from './support/report';
import { auditWire, tapWire, totalWire, wireFigures, type WireMessage } from './support/wire-tap';
import { Traffic, type Sender } from './support/traffic';

const CLIENTS = scaled(10, 40);
const GROUP_SIZE = 5;
const AFTER_KILL_MS = scaled(6_000, 20_000);
const INTERVAL_MS = 300;

/**
 * Two server processes over Redis behind a balancer (a TCP proxy that skips dead targets);
 * kill -9 one of them under load. Its clients reconnect through the balancer to the other one,
 * resend what was not acked and catch up by seq.
 */
describe('fault: a server process is killed under load', () => {
  const own = useOwnDatabase('faults_process_kill', { withApp: false });
  let redis: Running;
  let servers: Running[] = [];
  let balancer: CutProxy;
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const env = {
      MONGODB_URI: own.uri,
      REDIS_URL: redis.url,
      LOG_LEVEL: 'error',
      SHUTDOWN_GRACE_MS: '1000',
    };
    servers = await Promise.all([startServer(env), startServer(env)]);
    balancer = await startCutProxy(servers.map((server) => server.url));
  }, 90_000);
  afterAll(async () => {
    clients.forEach((client) => client.disconnect());
    await balancer?.close();
    await Promise.all(servers.map((server) => server.stop('SIGKILL')));
    await redis?.stop();
  });

  it('loses and duplicates nothing; clients move to the other process', async () => {
    interface Member {
      conversationId: string;
      client: ChatClient;
      received: Message[];
      wire: WireMessage[];
      droppedAt?: number;
      backAt?: number;
    }
    const members: Member[] = [];
    const senders: Sender[] = [];
    const conversationIds: string[] = [];
    for (let start = 0; start < CLIENTS; start += GROUP_SIZE) {
      const group = await Promise.all(
        Array.from({ length: GROUP_SIZE }, async () => {
          const client = new ChatClient({
            url: balancer.url,
            ackTimeoutMs: 2_000,
            socket: { transports: ['websocket'] },
          });
          clients.push(client);
          const { user } = await client.register({
            username: uniqueName('pk'),
            password: 'correct horse battery',
          });
          return { client, user };
        }),
      );
      const [creator, ...others] = group;
      const conversation = await creator.client.api.createGroup({
        title: 'process kill',
        memberIds: others.map((member) => member.user.id),
      });
      conversationIds.push(conversation.id);
      for (const { client, user } of group) {
        const member: Member = {
          conversationId: conversation.id,
          client,
          received: [],
          wire: tapWire(client),
        };
        client.track(conversation.id, 0);
        client.on('message', (message) => member.received.push(message));
        client.on('state', (state) => {
          if (state === 'connecting' && member.droppedAt === undefined)
            member.droppedAt = Date.now();
          if (state === 'online' && member.droppedAt !== undefined) member.backAt ??= Date.now();
        });
        client.connect();
        members.push(member);
        senders.push({ client, userId: user.id, conversationIds: [conversation.id] });
      }
    }
    await waitFor(() => clients.every((client) => client.state === 'online'), 15_000);
    for (const member of members) {
      member.droppedAt = undefined; // from here on, only drops caused by the kill count
      member.backAt = undefined;
    }

    const traffic = new Traffic();
    traffic.start(senders, INTERVAL_MS);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const killedAt = Date.now();
    await servers[0].stop('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, AFTER_KILL_MS));
    traffic.stop();
    const settled = await traffic.settled(60_000);
    const lastAnswerMs = traffic.lastAnswerAfterStopMs;

    const connection = await mongoose.createConnection(own.uri).asPromise();
    const storage = await auditStorage(connection, conversationIds, traffic.sends);
    await connection.close();
    const synced = await caughtUp(members, storage, 30_000);

    const moved = members.filter((m) => m.droppedAt !== undefined);
    const reconnectMs = moved.map((m) => (m.backAt ?? Infinity) - killedAt);
    const delivery = totalDelivery(
      members.map((m) => auditDelivery(m.received, storage.byConversation, [m.conversationId])),
    );

    const byId = storedById(storage);
    const wire = totalWire(members.map((m) => auditWire(m.wire, byId)));
    record({
      scenario: 'Server process killed',
      setup:
        `Two server processes over Redis behind a balancing TCP proxy; ${CLIENTS} ChatClients in ` +
        `groups of ${GROUP_SIZE} each send every ${INTERVAL_MS} ms; one process gets kill -9 ` +
        `after 3 s and traffic goes on for ${AFTER_KILL_MS / 1000} s.`,
      figures: [
        livenessFigure(lastAnswerMs),
        // Half the sends the senders' intervals call for; and the kill must have moved clients.
        {
          name: 'sends',
          value: traffic.sends.length,
          mustBeAtLeast: Math.floor((senders.length * (3_000 + AFTER_KILL_MS)) / INTERVAL_MS / 2),
        },
        { name: 'clients on the killed process', value: moved.length, mustBeAtLeast: 1 },
        {
          name: 'sends still unacked 60 s after traffic stopped',
          value: traffic.sends.length - traffic.acked.length,
          mustBeZero: true,
        },
        { name: 'acked but missing from history', value: storage.ackedMissing, mustBeZero: true },
        { name: 'duplicates in history', value: storage.duplicates, mustBeZero: true },
        { name: 'seq gaps or repeats', value: storage.seqFaults, mustBeZero: true },
        ...wireFigures(wire, { oneProcess: false }),
        { name: 'never received after resync', value: delivery.missing, mustBeZero: true },
        { name: 'order violations', value: delivery.orderViolations, mustBeZero: true },
        { name: 'delivered twice', value: delivery.duplicates, mustBeZero: true },
        { name: 'stored but never acked', value: storage.storedNeverAcked },
        {
          name: 'kill → client online on the other process, p50 / p99',
          value: `${percentile(reconnectMs, 50)} / ${percentile(reconnectMs, 99)}`,
          unit: 'ms',
        },
      ],
      notes: [
        "Reconnect time is socket.io-client's default backoff (reconnectionDelay 1 s, " +
          'randomized ±50%) plus the handshake on the surviving process.',
      ],
    });

    expect({ settled, synced }).toEqual({ settled: true, synced: true });
    expect(lastAnswerMs).toBeLessThan(LIVENESS_BOUND_MS);
    expect(moved.length).toBeGreaterThan(0);
    expect(reconnectMs.every(Number.isFinite)).toBe(true);
    expect(storage).toMatchObject({ ackedMissing: 0, duplicates: 0, seqFaults: 0 });
    expect(delivery).toEqual({ missing: 0, orderViolations: 0, duplicates: 0 });
    expect(traffic.acked.length).toBe(traffic.sends.length);
  }, 240_000);
});
