// Webhooks: commit → first delivery attempt at a local receiver, at 100 and 1,000 messages/s, and
// the product's throughput with an endpoint attached against without, in one run. One server
// process as production runs it, 40 users in 20 one-to-one conversations (webhooks are in order
// per conversation, parallel across them), a fresh database for every row (on FerretDB v1 every
// query's cost grows with the data). `npm run bench:webhooks`; `-- --rates 100,1000 --saturate 3000`
// (`--saturate 0`: no throughput rows).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { percentile, startEmbeddedDatabase } from '@nest-chat/dev-tools';
import {
  BODY_BYTES,
  conversationsFor,
  log,
  post,
  procStats,
  registerUsers,
  root,
  runLoader,
  startServer,
} from './harness.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const S = {
  rates: option('--rates', '100,1000').split(',').map(Number),
  // A rate past what the product serves here: its throughput is then what it can do.
  saturate: Number(option('--saturate', '3000')),
  users: 40,
  warmupMs: 2000,
  durationMs: 8000,
  drainMs: 60_000,
};
const outDir = option('--out', join(root, 'bench/results'));
// --profile: the server writes a V8 CPU profile of each row when it stops (bench/profile-summary.mjs).
const profileArgs = args.includes('--profile')
  ? ['--cpu-prof', `--cpu-prof-dir=${join(outDir, 'profiles')}`]
  : [];
const SECRETS_KEY = randomBytes(32).toString('hex');

/** A receiver answering 204 at once, noting when each event first arrived. */
async function startReceiver() {
  const first = new Map();
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const event = JSON.parse(body);
      // By message id: the first attempt at each message's creation.
      if (!first.has(event.message.id)) first.set(event.message.id, { at: Date.now(), event });
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks`,
    first,
    close: () => server.close(),
  };
}

/** Instance admin for a fresh user, from the command line as an operator would. */
function grantAdmin(uri, username) {
  const result = spawnSync(
    process.execPath,
    [join(root, 'dist/cli/cli.js'), 'users:grant-admin', username],
    {
      env: {
        ...process.env,
        MONGODB_URI: uri,
        NODE_ENV: 'production',
        JWT_SECRET: randomBytes(32).toString('hex'),
      },
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(`users:grant-admin: ${result.stderr}`);
}

/** One row: a fresh database and server, the open loop at `rate`, with or without an endpoint. */
async function row(rate, withWebhook) {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'chat-webhooks-db-'));
  const database = await startEmbeddedDatabase({ dataDir, dbName: 'bench' });
  const receiver = await startReceiver();
  const server = await startServer(
    database.uri,
    {
      WEBHOOK_SECRETS_KEY: SECRETS_KEY,
      // The receiver is on loopback, which production refuses unless allowed.
      WEBHOOK_ALLOW_PRIVATE: 'true',
    },
    profileArgs,
  );
  try {
    const users = await registerUsers(server.url, S.users);
    if (withWebhook) {
      const admin = `bench_admin_${randomBytes(3).toString('hex')}`;
      const { accessToken } = await post(`${server.url}/api/auth/register`, null, {
        username: admin,
        password: 'benchmark password',
      });
      grantAdmin(database.uri, admin);
      await post(`${server.url}/api/apps`, accessToken, {
        name: 'bench',
        webhook: { url: receiver.url, scope: 'all', events: ['message.created'] },
      });
    }
    const assigned = await conversationsFor('direct', server.url, users);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const cpuBefore = procStats(server.pid).cpuSeconds;
    const databaseCpuBefore = procStats(database.pid).cpuSeconds;
    const loaded = await runLoader({
      url: server.url,
      users: assigned,
      mode: 'open',
      rate,
      warmupMs: S.warmupMs,
      durationMs: S.durationMs,
      ackedIds: withWebhook,
    });
    const cpuSeconds = procStats(server.pid).cpuSeconds - cpuBefore;
    const databaseCpuSeconds = procStats(database.pid).cpuSeconds - databaseCpuBefore;
    const measuredSeconds = (S.warmupMs + S.durationMs) / 1000;
    const result = {
      rate,
      webhook: withWebhook,
      ackedPerSecond: Math.round(loaded.acked / (S.durationMs / 1000)),
      refusals: loaded.refusals,
      timeouts: loaded.timeouts,
      sendToAckMsP99: +percentile(loaded.ackLatencies, 99).toFixed(1),
      serverCpuPercent: Math.round((cpuSeconds / measuredSeconds) * 100),
      databaseCpuPercent: Math.round((databaseCpuSeconds / measuredSeconds) * 100),
    };
    if (withWebhook) {
      // Every message sent in the measured window and acked, by id, from its commit to its first
      // attempt; waiting until each had one, or the drain time is up.
      const drainStarted = Date.now();
      const missing = () => loaded.ackedIds.filter((id) => !receiver.first.has(id));
      while (Date.now() - drainStarted < S.drainMs && missing().length > 0) {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const latencies = loaded.ackedIds
        .map((id) => receiver.first.get(id))
        .filter(Boolean)
        .map(({ at, event }) => at - new Date(event.message.createdAt).getTime());
      result.events = latencies.length;
      result.notAttempted = missing().length;
      result.commitToAttemptMs = {
        p50: +percentile(latencies, 50).toFixed(1),
        p99: +percentile(latencies, 99).toFixed(1),
      };
    }
    log(`${rate}/s, webhook ${withWebhook}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await server.stop();
    receiver.close();
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const rows = [];
for (const rate of S.rates) rows.push(await row(rate, true));
const without = S.saturate ? await row(S.saturate, false) : null;
const attached = S.saturate ? await row(S.saturate, true) : null;
if (without && attached) rows.push(without, attached);

const refused = (r) =>
  Object.entries(r.refusals)
    .map(([code, n]) => `${n} \`${code}\``)
    .join(', ') || '0';
const line = (r) =>
  `| ${r.rate} | ${r.webhook ? 'yes' : 'no'} | ${r.ackedPerSecond} | ${refused(r)} | ${r.timeouts} | ${r.sendToAckMsP99} | ${r.webhook ? `${r.events} (${r.notAttempted} not within ${S.drainMs / 1000} s) | ${r.events ? `${r.commitToAttemptMs.p50} / ${r.commitToAttemptMs.p99}` : 'none'}` : '– | –'} | ${r.serverCpuPercent} | ${r.databaseCpuPercent} |`;
const date = new Date().toISOString();
const markdown = [
  `# Webhooks benchmark ${date}`,
  '',
  `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}. One server process (production), ${S.users} users in ${S.users / 2} one-to-one conversations, open loop of ${BODY_BYTES}-byte messages, ${S.durationMs / 1000} s measured after ${S.warmupMs / 1000} s warm-up; a receiver on loopback answering 204 at once; a fresh database for every row.`,
  '',
  '| messages/s offered | endpoint | acked/s | refused | no ack in 10 s | send→ack p99 ms | first attempts (of the acked in the window) | commit → first attempt ms p50 / p99 | server CPU % | database CPU % |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(line),
  '',
  without && attached
    ? `Throughput with an endpoint attached: ${((attached.ackedPerSecond / without.ackedPerSecond) * 100).toFixed(0)}% of without (${attached.ackedPerSecond} against ${without.ackedPerSecond} acked/s at ${S.saturate} offered).\n`
    : '',
].join('\n');
mkdirSync(outDir, { recursive: true });
const stamp = date.slice(0, 10);
writeFileSync(
  join(outDir, `webhooks-${stamp}.json`),
  JSON.stringify({ date, settings: S, rows }, null, 2),
);
writeFileSync(join(outDir, `webhooks-${stamp}.md`), markdown);
process.stdout.write(markdown);
