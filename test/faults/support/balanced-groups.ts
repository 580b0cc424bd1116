import mongoose from 'mongoose';
import { ChatClient, type Message } from '../../../client/src';
import { startCutProxy, type CutProxy } from '../../support/cut-proxy';
import { useOwnDatabase, type OwnDatabase } from '../../support/own-database';
import { startRedis, startServer, type Running } from '../../support/processes';
import { uniqueName, waitFor } from '../../support/test-app';
import { auditDelivery, auditStorage, caughtUp, storedById, totalDelivery } from './audit';
import { livenessFigure, type Figure } from './report';
import type { Sender, Traffic } from './traffic';
import { auditWire, tapWire, totalWire, wireFigures, type WireMessage } from './wire-tap';

/** A ChatClient in one group, with what it heard and when it lost and regained its connection. */
export interface GroupMember {
  conversationId: string;
  client: ChatClient;
  received: Message[];
  wire: WireMessage[];
  droppedAt?: number;
  backAt?: number;
}

export interface Groups {
  members: GroupMember[];
  senders: Sender[];
  conversationIds: string[];
  clients: ChatClient[];
}

/** Two server processes over one Redis behind a balancing TCP proxy, and the groups' clients. */
export interface BalancedCluster {
  readonly databaseUri: string;
  /** The database server itself (to kill and restart it). */
  readonly database: OwnDatabase;
  redis: Running;
  servers: Running[];
  balancer: CutProxy;
  groups?: Groups;
}

/**
 * The scenario's own database, Redis, two server processes and the balancer before its tests
 * (jest hooks); everything stopped after, the groups' clients first.
 */
export function useBalancedCluster(
  dbName: string,
  extraEnv: Record<string, string> = {},
): BalancedCluster {
  const own = useOwnDatabase(dbName, { withApp: false });
  const cluster = {
    get databaseUri() {
      return own.uri;
    },
    database: own,
  } as BalancedCluster;
  beforeAll(async () => {
    cluster.redis = await startRedis();
    const env = {
      MONGODB_URI: own.uri,
      REDIS_URL: cluster.redis.url,
      LOG_LEVEL: 'error',
      SHUTDOWN_GRACE_MS: '1000',
      ...extraEnv,
    };
    cluster.servers = await Promise.all([startServer(env), startServer(env)]);
    cluster.balancer = await startCutProxy(cluster.servers.map((server) => server.url));
  }, 90_000);
  afterAll(async () => {
    cluster.groups?.clients.forEach((client) => client.disconnect());
    await cluster.balancer?.close();
    await Promise.all((cluster.servers ?? []).map((server) => server.stop('SIGKILL')));
    await cluster.redis?.stop();
  });
  return cluster;
}

/**
 * `count` ChatClients in groups of `groupSize`, connected through the cluster's balancer (it
 * spreads them over the processes behind it), each tracking its group and online. Drops are
 * counted from here. The cluster holds them from the first, so its teardown disconnects every
 * one (a client left open reconnects for ever and keeps Jest from exiting).
 */
export async function startGroups(
  cluster: BalancedCluster,
  count: number,
  groupSize: number,
): Promise<Groups> {
  const url = cluster.balancer.url;
  const groups: Groups = { members: [], senders: [], conversationIds: [], clients: [] };
  cluster.groups = groups;
  for (let start = 0; start < count; start += groupSize) {
    const group = await Promise.all(
      Array.from({ length: groupSize }, async () => {
        const client = new ChatClient({
          url,
          ackTimeoutMs: 2_000,
          socket: { transports: ['websocket'] },
        });
        groups.clients.push(client);
        const { user } = await client.register({
          username: uniqueName('grp'),
          password: 'correct horse battery',
        });
        return { client, user };
      }),
    );
    const [creator, ...others] = group;
    const conversation = await creator.client.api.createGroup({
      title: 'faults group',
      memberIds: others.map((member) => member.user.id),
    });
    groups.conversationIds.push(conversation.id);
    for (const { client, user } of group) {
      const member: GroupMember = {
        conversationId: conversation.id,
        client,
        received: [],
        wire: tapWire(client),
      };
      client.track(conversation.id, 0);
      client.on('message', (message) => member.received.push(message));
      client.on('state', (state) => {
        if (state === 'connecting' && member.droppedAt === undefined) member.droppedAt = Date.now();
        if (state === 'online' && member.droppedAt !== undefined) member.backAt ??= Date.now();
      });
      client.connect();
      groups.members.push(member);
      groups.senders.push({ client, userId: user.id, conversationIds: [conversation.id] });
    }
  }
  await waitFor(() => groups.clients.every((client) => client.state === 'online'), 15_000);
  for (const member of groups.members) {
    member.droppedAt = undefined;
    member.backAt = undefined;
  }
  return groups;
}

/**
 * After the traffic stopped: whether every send was answered and every client caught up, and
 * history, delivery and the wire against what is stored, as the guarantees' figures.
 */
export async function auditGroups(
  databaseUri: string,
  groups: Groups,
  traffic: Traffic,
): Promise<{ figures: Figure[]; settled: boolean; synced: boolean }> {
  const settled = await traffic.settled(60_000);
  const lastAnswerMs = traffic.lastAnswerAfterStopMs;
  const connection = await mongoose.createConnection(databaseUri).asPromise();
  const storage = await auditStorage(connection, groups.conversationIds, traffic.sends);
  await connection.close();
  const synced = await caughtUp(groups.members, storage, 30_000);
  const delivery = totalDelivery(
    groups.members.map((m) =>
      auditDelivery(m.received, storage.byConversation, [m.conversationId]),
    ),
  );
  const wire = totalWire(groups.members.map((m) => auditWire(m.wire, storedById(storage))));
  const unacked = traffic.sends.length - traffic.acked.length;
  const figures: Figure[] = [
    livenessFigure(lastAnswerMs),
    { name: 'sends still unacked 60 s after traffic stopped', value: unacked, mustBeZero: true },
    { name: 'acked but missing from history', value: storage.ackedMissing, mustBeZero: true },
    { name: 'duplicates in history', value: storage.duplicates, mustBeZero: true },
    { name: 'seq gaps or repeats', value: storage.seqFaults, mustBeZero: true },
    ...wireFigures(wire, { oneProcess: false }),
    { name: 'never received after resync', value: delivery.missing, mustBeZero: true },
    { name: 'order violations', value: delivery.orderViolations, mustBeZero: true },
    { name: 'delivered twice', value: delivery.duplicates, mustBeZero: true },
    { name: 'stored but never acked', value: storage.storedNeverAcked },
  ];
  return { figures, settled, synced };
}
