// Scale-out: the same open-loop load against 1, 2, 4 and 8 server processes sharing one Redis and
// one database, with the clients spread over the processes as a balancer would (user i on
// process i mod N) and one load process per server process. Every row starts a fresh database
// and a fresh Redis (on FerretDB v1 every query's cost grows with the data).
// `npm run bench:scale-out` (a few minutes); `-- --processes 1,2 --shapes group --rate 500` for
// part of it; `--out DIR` for somewhere other than bench/results/; `--profile` for the servers'
// CPU profiles.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startEmbeddedDatabase, startRedis } from '@nest-chat/dev-tools';
import {
  BODY_BYTES,
  conversationsFor,
  log,
  procStats,
  registerUsers,
  root,
  runLoader,
  shapeName,
  startServer,
  summary,
} from './harness.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const S = {
  processes: option('--processes', '1,2,4,8').split(',').map(Number),
  shapes: option('--shapes', 'direct,group').split(','),
  // A rate one process serves with room to spare (about a third of one core on this machine).
  rate: Number(option('--rate', '1000')),
  users: 40,
  warmupMs: 2000,
  durationMs: 8000,
};
const outDir = option('--out', join(root, 'bench/results'));
// --profile: each server writes a V8 CPU profile when it stops (bench/profile-summary.mjs).
const nodeArgs = args.includes('--profile')
  ? ['--cpu-prof', `--cpu-prof-dir=${join(outDir, 'profiles')}`]
  : [];

const redisServer = execFileSync('bash', [join(root, 'scripts/install-redis.sh')], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
}).trim();

const cpuOf = (pids) => pids.reduce((sum, pid) => sum + procStats(pid).cpuSeconds, 0);

/** One row: `count` processes, fresh database and Redis, the shape's open loop at S.rate. */
async function row(count, shape) {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'chat-scale-db-'));
  const database = await startEmbeddedDatabase({ dataDir, dbName: 'bench' });
  const redis = await startRedis(redisServer);
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      servers.push(await startServer(database.uri, { REDIS_URL: redis.url }, nodeArgs));
    }
    const users = await registerUsers(servers[0].url, S.users);
    const assigned = (await conversationsFor(shape, servers[0].url, users)).map((user, i) => ({
      ...user,
      url: servers[i % count].url,
    }));
    // Start-up and set-up settle before the measured run.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const serverPids = servers.map((server) => server.pid);
    const before = { servers: cpuOf(serverPids), redis: cpuOf([redis.pid]) };
    before.database = cpuOf([database.pid]);
    const started = performance.now();
    const parts = await Promise.all(
      servers.map((server) =>
        runLoader({
          url: server.url,
          users: assigned.filter((user) => user.url === server.url),
          mode: 'open',
          rate: S.rate / count,
          warmupMs: S.warmupMs,
          durationMs: S.durationMs,
        }),
      ),
    );
    const elapsed = (performance.now() - started) / 1000;
    const used = (pids, from) => cpuOf(pids) - from;
    const serverSeconds = used(serverPids, before.servers);
    const measured = S.durationMs / 1000;
    const sum = (key) => parts.reduce((total, part) => total + part[key], 0);
    const refusals = {};
    for (const part of parts) {
      for (const [code, n] of Object.entries(part.refusals))
        refusals[code] = (refusals[code] ?? 0) + n;
    }
    const deliveriesPerSecond = sum('deliveries') / measured;
    const result = {
      processes: count,
      shape: shapeName(shape),
      ackedPerSecond: Math.round(sum('acked') / measured),
      deliveriesPerSecond: Math.round(deliveriesPerSecond),
      refusals,
      timeouts: sum('timeouts'),
      sendToAckMs: summary(parts.flatMap((part) => part.ackLatencies)),
      sendToDeliverMs: summary(parts.flatMap((part) => part.deliverLatencies)),
      // The servers' summed CPU over the whole run, a second, over the deliveries a second.
      serversCpuUsPerDelivery:
        deliveriesPerSecond === 0
          ? null
          : +(((serverSeconds / elapsed) * 1e6) / deliveriesPerSecond).toFixed(1),
      serversCpuPercent: Math.round((serverSeconds / elapsed) * 100),
      redisCpuPercent: Math.round((used([redis.pid], before.redis) / elapsed) * 100),
      databaseCpuPercent: Math.round((used([database.pid], before.database) / elapsed) * 100),
      serversPeakRssMb: servers.map((server) => Math.round(procStats(server.pid).peakRssMb)),
    };
    log(
      `${count} × ${result.shape}: ${result.ackedPerSecond} acked/s, refused ${JSON.stringify(refusals)}, ${result.timeouts} timed out, deliver p99 ${result.sendToDeliverMs.p99} ms, ${result.serversCpuUsPerDelivery} µs CPU a delivery`,
    );
    return result;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await redis.stop();
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function markdown(report) {
  const base = (r) =>
    report.rows.find((other) => other.shape === r.shape && other.processes === 1)
      ?.serversCpuUsPerDelivery;
  const ratio = (r) =>
    base(r) && r.serversCpuUsPerDelivery
      ? ` (${(r.serversCpuUsPerDelivery / base(r)).toFixed(2)}×)`
      : '';
  const refused = (r) =>
    Object.entries(r.refusals)
      .map(([code, n]) => `${n} \`${code}\``)
      .join(', ') || '0';
  const line = (r) =>
    `| ${r.processes} | ${r.shape} | ${r.ackedPerSecond} | ${r.deliveriesPerSecond} | ${refused(r)} | ${r.timeouts} | ${r.sendToDeliverMs.p50} / ${r.sendToDeliverMs.p99} | ${r.serversCpuUsPerDelivery ?? '–'}${ratio(r)} | ${r.serversCpuPercent} | ${r.redisCpuPercent} | ${r.databaseCpuPercent} |`;
  return [
    `# Scale-out benchmark ${report.date}`,
    '',
    `Machine: ${report.machine.cpus} × ${report.machine.cpuModel}, Node ${report.machine.node}. ${S.users} users, open loop of ${S.rate} messages/s of ${BODY_BYTES} bytes in all, ${S.durationMs / 1000} s measured after ${S.warmupMs / 1000} s warm-up; user i connects to process i mod N, one load process per server process; a fresh database and Redis for every row.`,
    '',
    "| processes | shape | acked/s | deliveries/s | refused | no ack in 10 s | send→deliver ms p50 / p99 | servers' CPU µs a delivery | servers' CPU % | Redis CPU % | database CPU % |",
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.rows.map(line),
    '',
  ].join('\n');
}

const rows = [];
for (const shape of S.shapes) {
  for (const count of S.processes) rows.push(await row(count, shape));
}
const report = {
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim(),
    node: process.version,
  },
  settings: S,
  rows,
};
mkdirSync(outDir, { recursive: true });
const stamp = report.date.replace(/[:.]/g, '-');
writeFileSync(join(outDir, `scale-out-${stamp}.json`), JSON.stringify(report, null, 2));
writeFileSync(join(outDir, `scale-out-${stamp}.md`), markdown(report));
process.stdout.write(markdown(report));
