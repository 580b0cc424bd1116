import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { io, type Socket } from 'socket.io-client';
import { ChatClient, type Message } from '../../client/src';
import { startCutProxy, type CutProxy } from '../support/cut-proxy';
import { useOwnDatabase } from '../support/own-database';
import { bearer, registerUser, waitFor, type TestUser } from '../support/test-app';
import {
  auditDelivery,
  auditStorage,
  caughtUp,
  copiesOf,
  lastStoredSeq,
  type MessageCopies,
  staleCopies,
  totalDelivery,
  type DeliveryAudit,
  storedById,
} from './support/audit';
import { LIVENESS_BOUND_MS, livenessFigure, record, scaled } from './support/report';
import { auditWire, tapWire, totalWire, wireFigures, type WireMessage } from './support/wire-tap';
import { RandomChanges, Traffic, type Sender } from './support/traffic';

const GROUPS = scaled(2, 4);
const MEMBERS = 5;
const DURATION_MS = scaled(10_000, 60_000);
const INTERVAL_MS = 400;
const CUT_EVERY_MS: [number, number] = [1_000, 4_000];
const CHANGE_EVERY_MS = 1_000;
/** Every client holds every message and change this soon after traffic stops, loaded too. */
const CAUGHT_UP_BOUND_MS = 10_000;

/**
 * Every client's connection is cut at random every few seconds while messages flow and are edited
 * and deleted at random. ChatClient catches up by seq and by rev after each reconnect; beside each one, a plain socket.io client of the same
 * user (default reconnection, no resync) shows what is lost without it.
 */
describe('fault: connections cut at random while messages flow', () => {
  const suite = useOwnDatabase('faults_jitter');
  const proxies: CutProxy[] = [];
  const clients: ChatClient[] = [];
  const sockets: Socket[] = [];

  afterAll(async () => {
    clients.forEach((client) => client.disconnect());
    sockets.forEach((socket) => socket.close());
    await Promise.all(proxies.map((proxy) => proxy.close()));
  });

  async function proxy(): Promise<CutProxy> {
    const created = await startCutProxy(suite.app.url);
    proxies.push(created);
    return created;
  }

  async function group(members: TestUser[]): Promise<string> {
    const [creator, ...others] = members;
    const response = await suite.app
      .http()
      .post('/api/conversations')
      .set(bearer(creator))
      .send({ title: 'jitter', memberIds: others.map((user) => user.id) })
      .expect(201);
    return response.body.id as string;
  }

  it('delivers every message to every member once and in order after resync; baseline beside', async () => {
    interface Member {
      conversationId: string;
      client: ChatClient;
      received: Message[];
      baseline: Message[];
      wire: WireMessage[];
      copies: MessageCopies;
      /** When the client last delivered a message or a change to the app. */
      changedAt: number;
    }
    const members: Member[] = [];
    const senders: Sender[] = [];
    const conversationIds: string[] = [];
    for (let g = 0; g < GROUPS; g++) {
      const users = await Promise.all(
        Array.from({ length: MEMBERS }, () => registerUser(suite.app)),
      );
      const conversationId = await group(users);
      conversationIds.push(conversationId);
      for (const user of users) {
        const client = new ChatClient({
          url: (await proxy()).url,
          token: user.token,
          ackTimeoutMs: 2_000,
          socket: { transports: ['websocket'] },
        });
        clients.push(client);
        client.track(conversationId, 0);
        const member: Member = {
          conversationId,
          client,
          received: [],
          baseline: [],
          wire: tapWire(client),
          copies: copiesOf(client),
          changedAt: 0,
        };
        client.on('message', (message) => {
          member.received.push(message);
          member.changedAt = Date.now();
        });
        client.on('messageChanged', () => (member.changedAt = Date.now()));
        const socket = io(`${(await proxy()).url}/chat`, {
          auth: { token: user.token },
          transports: ['websocket'],
          forceNew: true,
        });
        sockets.push(socket);
        socket.on('message:new', (message: Message) => member.baseline.push(message));
        members.push(member);
        senders.push({ client, userId: user.id, conversationIds: [conversationId] });
        client.connect();
      }
    }
    await waitFor(
      () => clients.every((c) => c.state === 'online') && sockets.every((s) => s.connected),
      15_000,
    );

    const traffic = new Traffic();
    traffic.start(senders, INTERVAL_MS);
    const changes = new RandomChanges();
    changes.start(traffic, senders, CHANGE_EVERY_MS);
    let cuts = 0;
    const jitter = proxies.map((p) => {
      let timer: ReturnType<typeof setTimeout>;
      const next = (): void => {
        timer = setTimeout(
          () => {
            p.cut();
            cuts += 1;
            next();
          },
          between(...CUT_EVERY_MS),
        );
      };
      next();
      return () => clearTimeout(timer);
    });
    await new Promise((resolve) => setTimeout(resolve, DURATION_MS));
    jitter.forEach((stop) => stop());
    traffic.stop();
    const stoppedAt = traffic.stoppedAt ?? Date.now();
    const changesStopped = changes.stop(30_000);
    const settled = await traffic.settled(60_000);
    const lastAnswerMs = traffic.lastAnswerAfterStopMs;
    const changesSettled = await changesStopped;

    const connection = suite.app.app.get<Connection>(getConnectionToken());
    const storage = await auditStorage(connection, conversationIds, traffic.sends);
    const synced = await caughtUp(members, storage, 30_000);
    // Every copy of every message equal to the stored one: changes caught up by rev.
    const stale = (): number =>
      members.reduce((n, m) => n + staleCopies(m.copies, storage, m.conversationId), 0);
    const fresh = await waitFor(() => stale() === 0, 20_000).then(
      () => true,
      () => false,
    );
    // What users feel: from traffic stopped until every client holds every message and change as
    // stored (each client's last delivery to its app, once all of them are known to be current).
    const caughtUpMs =
      synced && fresh
        ? Math.max(0, ...members.map((m) => m.changedAt - stoppedAt))
        : 'not caught up within 50 s';
    const audit = (pick: (m: Member) => Message[]): DeliveryAudit =>
      totalDelivery(
        members.map((m) => auditDelivery(pick(m), storage.byConversation, [m.conversationId])),
      );
    const ours = audit((m) => m.received);
    const baseline = audit((m) => m.baseline);
    const byId = storedById(storage);
    const wire = totalWire(members.map((m) => auditWire(m.wire, byId)));
    const expected = members.reduce((n, m) => n + lastStoredSeq(storage, m.conversationId), 0);

    record({
      scenario: 'Connection jitter',
      setup:
        `${GROUPS} groups of ${MEMBERS}; each member sends every ${INTERVAL_MS} ms for ` +
        `${DURATION_MS / 1000} s through ChatClient, and each member's connections are cut at ` +
        `random every ${CUT_EVERY_MS[0] / 1000}–${CUT_EVERY_MS[1] / 1000} s; every ` +
        `${CHANGE_EVERY_MS} ms, a random acked message is edited (or, one time in four, deleted) ` +
        'by its sender. Beside each ' +
        'ChatClient, a plain socket.io client of the same user (default reconnection, no resync) ' +
        'with its own cuts is the baseline.',
      figures: [
        livenessFigure(lastAnswerMs),
        {
          name: 'time from traffic stopped to every client caught up (messages and changes)',
          value: caughtUpMs,
          unit: 'ms',
          mustBeBelow: CAUGHT_UP_BOUND_MS,
        },
        // Half the sends the senders' intervals call for, and one cut per connection at least.
        {
          name: 'sends',
          value: traffic.sends.length,
          mustBeAtLeast: Math.floor((senders.length * DURATION_MS) / INTERVAL_MS / 2),
        },
        { name: 'connections cut', value: cuts, mustBeAtLeast: proxies.length },
        {
          name: 'sends still unacked 60 s after traffic stopped',
          value: traffic.sends.length - traffic.acked.length,
          mustBeZero: true,
        },
        {
          name: 'clients not online at the end',
          value: clients.filter((c) => c.state !== 'online').length,
          mustBeZero: true,
        },
        { name: 'messages stored', value: storage.stored },
        { name: 'deliveries expected per client kind', value: expected },
        { name: 'acked but missing from history', value: storage.ackedMissing, mustBeZero: true },
        { name: 'duplicates in history', value: storage.duplicates, mustBeZero: true },
        ...wireFigures(wire, { oneProcess: true }),
        {
          name: 'wire: synced again, as a share of messages heard (goal: under 5%)',
          value: Number(((100 * wire.syncedAgain) / Math.max(1, wire.heard)).toFixed(1)),
          unit: '%',
        },
        { name: 'ChatClient: never received after resync', value: ours.missing, mustBeZero: true },
        { name: 'ChatClient: order violations', value: ours.orderViolations, mustBeZero: true },
        { name: 'ChatClient: delivered twice', value: ours.duplicates, mustBeZero: true },
        {
          name: 'edits, deletes and reactions made',
          value: changes.made,
          mustBeAtLeast: Math.floor(DURATION_MS / CHANGE_EVERY_MS / 2),
        },
        { name: 'of them refused (the message was deleted by then)', value: changes.refused },
        {
          name: 'ChatClient: stale messages after resync (body, deletion, reactions or rev unlike history)',
          value: stale(),
          mustBeZero: true,
        },
        { name: 'baseline socket.io: never received', value: baseline.missing },
        { name: 'baseline socket.io: order violations', value: baseline.orderViolations },
        { name: 'baseline socket.io: delivered twice', value: baseline.duplicates },
      ],
    });

    expect({ settled, synced, changesSettled }).toEqual({
      settled: true,
      synced: true,
      changesSettled: true,
    });
    expect(lastAnswerMs).toBeLessThan(LIVENESS_BOUND_MS);
    expect(caughtUpMs).toBeLessThan(CAUGHT_UP_BOUND_MS);
    expect(storage).toMatchObject({ ackedMissing: 0, duplicates: 0, seqFaults: 0 });
    expect(ours).toEqual({ missing: 0, orderViolations: 0, duplicates: 0 });
    expect(traffic.acked.length).toBe(traffic.sends.length);
  }, 240_000);
});

const between = (min: number, max: number): number => min + Math.random() * (max - min);
