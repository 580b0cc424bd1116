import { percentile } from '@nest-chat/dev-tools';
import { auditGroups, startGroups, useBalancedCluster } from './support/balanced-groups';
import { metricOf } from '../support/metrics';
import { record, scaled, violates } from './support/report';
import { Traffic } from './support/traffic';

const CLIENTS = scaled(10, 40);
const GROUP_SIZE = 5;
const AFTER_KILL_MS = scaled(6_000, 20_000);
const INTERVAL_MS = 300;

/**
 * Two server processes over Redis behind a balancer (a TCP proxy that skips dead targets);
 * kill -9 one of them under load, while it holds the writer leases of some conversations. Its
 * clients reconnect through the balancer to the other one, resend what was not acked and catch
 * up by seq; its conversations are taken over by the survivor.
 */
describe('fault: a server process is killed under load', () => {
  const cluster = useBalancedCluster('faults_process_kill');

  it('loses and duplicates nothing; clients move to the other process', async () => {
    const groups = await startGroups(cluster, CLIENTS, GROUP_SIZE);
    const { members, senders } = groups;
    const traffic = new Traffic();
    traffic.start(senders, INTERVAL_MS);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const leasesHeld = await metricOf(cluster.servers[0], 'chat_send_routing{state="leases_held"}');
    const killedAt = Date.now();
    await cluster.servers[0].stop('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, AFTER_KILL_MS));
    traffic.stop();
    const { figures, settled, synced } = await auditGroups(cluster.databaseUri, groups, traffic);

    const moved = members.filter((m) => m.droppedAt !== undefined);
    const reconnectMs = moved.map((m) => (m.backAt ?? Infinity) - killedAt);
    figures.push(
      // Half the sends the senders' intervals call for; and the kill must have moved clients.
      {
        name: 'sends',
        value: traffic.sends.length,
        mustBeAtLeast: Math.floor((senders.length * (3_000 + AFTER_KILL_MS)) / INTERVAL_MS / 2),
      },
      { name: 'clients on the killed process', value: moved.length, mustBeAtLeast: 1 },
      // Which process holds which lease is chance: with few groups it may hold none.
      { name: 'writer leases the killed process held', value: leasesHeld },
      {
        name: 'kill → client online on the other process, p50 / p99',
        value: `${percentile(reconnectMs, 50)} / ${percentile(reconnectMs, 99)}`,
        unit: 'ms',
      },
    );
    record({
      scenario: 'Server process killed',
      setup:
        `Two server processes over Redis behind a balancing TCP proxy; ${CLIENTS} ChatClients in ` +
        `groups of ${GROUP_SIZE} each send every ${INTERVAL_MS} ms; one process gets kill -9 ` +
        `after 3 s and traffic goes on for ${AFTER_KILL_MS / 1000} s.`,
      figures,
      notes: [
        "Reconnect time is socket.io-client's default backoff (reconnectionDelay 1 s, " +
          'randomized ±50%) plus the handshake on the surviving process.',
        "The survivor takes a killed process's writer leases over at its first forward that " +
          'finds nobody listening (or when they lapse, WRITER_LEASE_MS).',
      ],
    });

    expect({ settled, synced, broken: figures.filter(violates) }).toEqual({
      settled: true,
      synced: true,
      broken: [],
    });
    expect(reconnectMs.every(Number.isFinite)).toBe(true);
  }, 240_000);
});
