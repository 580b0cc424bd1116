import { metricOf } from '../support/metrics';
import { startRedis } from '../support/processes';
import { waitFor } from '../support/test-app';
import { auditGroups, startGroups, useBalancedCluster } from './support/balanced-groups';
import { record, scaled, violates } from './support/report';
import { Traffic } from './support/traffic';

const CLIENTS = scaled(10, 40);
const GROUP_SIZE = 5;
const DOWN_MS = scaled(2_000, 5_000);
const AFTER_RESTART_MS = scaled(5_000, 15_000);
const INTERVAL_MS = 300;

/**
 * Two server processes behind a balancer; Redis gets kill -9 under load and an empty one starts
 * on its port a few seconds later. Meanwhile each process writes and delivers on its own (the
 * unique indexes arbitrate seq; fan-out to the other process is lost). Once its links are back,
 * each process closes the connections that may have missed packets, and the clients catch up.
 */
describe('fault: Redis is killed and restarted under load', () => {
  const cluster = useBalancedCluster('faults_redis_kill');

  it('loses and duplicates nothing; every client catches up once Redis is back', async () => {
    const groups = await startGroups(cluster, CLIENTS, GROUP_SIZE);
    const traffic = new Traffic();
    traffic.start(groups.senders, INTERVAL_MS);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const { port } = cluster.redis;
    await cluster.redis.stop('SIGKILL');
    const sendsBefore = traffic.sends.length;
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    const sentWhileDown = traffic.sends.length - sendsBefore;
    cluster.redis = await startRedis(port);
    const restartedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, AFTER_RESTART_MS));
    traffic.stop();
    const { figures, settled, synced } = await auditGroups(cluster.databaseUri, groups, traffic);
    const clients = groups.clients;
    await waitFor(() => clients.every((client) => client.state === 'online'), 30_000);
    const cuts = await Promise.all(
      cluster.servers.map((server) => metricOf(server, 'chat_fanout_resync_cuts_total')),
    );
    const reconnectedAfter = groups.members
      .filter((m) => m.backAt !== undefined)
      .map((m) => (m.backAt as number) - restartedAt);

    figures.push(
      {
        name: 'sends',
        value: traffic.sends.length,
        mustBeAtLeast: Math.floor(
          (groups.senders.length * (3_000 + DOWN_MS + AFTER_RESTART_MS)) / INTERVAL_MS / 2,
        ),
      },
      { name: 'sends while Redis was down', value: sentWhileDown, mustBeAtLeast: 1 },
      {
        name: 'connections closed so their clients catch up (both processes)',
        value: cuts[0] + cuts[1],
        mustBeAtLeast: 1,
      },
      {
        name: 'Redis back → last client online again',
        value: reconnectedAfter.length === 0 ? 0 : Math.max(...reconnectedAfter),
        unit: 'ms',
      },
    );
    record({
      scenario: 'Redis killed and restarted',
      setup:
        `Two server processes over Redis behind a balancing TCP proxy; ${CLIENTS} ChatClients in ` +
        `groups of ${GROUP_SIZE} each send every ${INTERVAL_MS} ms; after 3 s Redis gets kill -9, ` +
        `an empty Redis starts on its port ${DOWN_MS / 1000} s later, and traffic goes on for ` +
        `${AFTER_RESTART_MS / 1000} s.`,
      figures,
      notes: [
        'While Redis is away, each process writes and delivers to its own sockets only; what it ' +
          'published for the other process is lost. Once its links are back it closes the ' +
          'connections that may have missed packets (all of its own, and on the other process ' +
          'those of the users it emitted to meanwhile), and the clients catch up by seq.',
      ],
    });

    expect({ settled, synced, broken: figures.filter(violates) }).toEqual({
      settled: true,
      synced: true,
      broken: [],
    });
  }, 240_000);
});
