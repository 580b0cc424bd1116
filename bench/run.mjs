// The benchmark: `npm run bench` (full, a few minutes) or `npm run bench -- --quick` (CI, < 1 min);
// `--profile` also writes the servers' CPU profiles; `--shape direct|group` runs only that
// shape's closed loop (or `--rate N`: open loop) against the product and the relay, so profiles
// show the cost per message.
// Starts a fresh database, the built server as production runs it, a bare socket.io relay, and
// load from real socket.io clients in separate processes; writes JSON and markdown figures to
// bench/results/ (or --out DIR).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { freePort, launch, portOpen, startEmbeddedDatabase } from '@nest-chat/dev-tools';
import { fileRates, filesMarkdown } from './files.mjs';
import {
  BODY_BYTES,
  batchSizes,
  conversationsFor,
  json,
  log,
  pct,
  post,
  procStats,
  registerUsers,
  root,
  runLoader,
  shapeName,
  startServer as startBuiltServer,
  summary,
} from './harness.mjs';

const require = createRequire(import.meta.url);
const { MongoClient, ObjectId } = require('mongodb');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
/** `--shape direct|group`: that shape's closed loop only (for profiles of the hot path). */
const onlyShape = args.includes('--shape') ? args[args.indexOf('--shape') + 1] : null;
/** With --shape, `--rate N`: an open loop at N sends a second instead. */
const openRate = args.includes('--rate') ? Number(args[args.indexOf('--rate') + 1]) : 0;
const outDir = args.includes('--out')
  ? args[args.indexOf('--out') + 1]
  : join(root, 'bench/results');
const S = quick
  ? {
      warmupMs: 500,
      durationMs: 2000,
      shapes: ['direct'],
      openRates: [],
      users: 20,
      loaders: 2,
      idleSockets: 300,
      historyMessages: 3000,
      historySamples: 30,
      files: { count: 2, mib: 4, fillMb: 20 },
    }
  : {
      warmupMs: 2000,
      durationMs: 8000,
      shapes: ['direct', 'group'],
      // Below naive's knee, near it, and above it (naive tops out at a few hundred a second).
      openRates: [100, 300, 1000],
      users: 40,
      loaders: 2,
      idleSockets: 10000,
      historyMessages: 100000,
      historySamples: 300,
      files: { count: 4, mib: 16, fillMb: 1024 },
    };
// --profile: each server (the relay too) writes a V8 CPU profile when it stops (open it in
// Chrome DevTools, or summarize it with bench/profile-summary.mjs).
const profileArgs = args.includes('--profile')
  ? ['--cpu-prof', `--cpu-prof-dir=${join(outDir, 'profiles')}`]
  : [];
/** The database server's process, so each run can report the database's CPU too. */
let databasePid;
const startServer = (uri, env) => startBuiltServer(uri, env, profileArgs);

function runLoaders(url, users, mode, rate) {
  const slices = Array.from({ length: S.loaders }, (_, i) =>
    users.filter((_, j) => j % S.loaders === i),
  );
  return Promise.all(
    slices.map((slice) =>
      runLoader({
        url,
        users: slice,
        mode,
        rate: rate / S.loaders,
        warmupMs: S.warmupMs,
        durationMs: S.durationMs,
      }),
    ),
  );
}

/** Waits until the server has worked off any backlog, so one run does not bleed into the next. */
async function quiesce(pid) {
  const until = Date.now() + 60_000;
  const busy = (before) => before.some(([id, cpu]) => procStats(id).cpuSeconds - cpu >= 0.1);
  for (;;) {
    // The server and the database both: one run's backlog must not bleed into the next.
    const before = [pid, databasePid].filter(Boolean).map((id) => [id, procStats(id).cpuSeconds]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (!busy(before) || Date.now() > until) return;
  }
}

async function measure(label, url, serverPid, users, mode, rate = 0) {
  if (serverPid) await quiesce(serverPid);
  const before = serverPid ? procStats(serverPid) : null;
  const databaseBefore = databasePid ? procStats(databasePid) : null;
  const parts = await runLoaders(url, users, mode, rate);
  const after = serverPid ? procStats(serverPid) : null;
  const databaseAfter = databasePid ? procStats(databasePid) : null;
  const seconds = S.durationMs / 1000;
  const sum = (key) => parts.reduce((total, part) => total + part[key], 0);
  const result = {
    scenario: label,
    loop: mode === 'closed' ? 'closed' : `open ${rate}/s`,
    ackedPerSecond: Math.round(sum('acked') / seconds),
    deliveriesPerSecond: Math.round(sum('deliveries') / seconds),
    errors: sum('errors'),
    sendToAckMs: summary(parts.flatMap((part) => part.ackLatencies)),
    sendToDeliverMs: summary(parts.flatMap((part) => part.deliverLatencies)),
    serverCpuPercent: before
      ? Math.round(
          ((after.cpuSeconds - before.cpuSeconds) / (seconds + S.warmupMs / 1000 + 1)) * 100,
        )
      : null,
    serverPeakRssMb: after ? Math.round(after.peakRssMb) : null,
    databaseCpuPercent: databaseBefore
      ? Math.round(
          ((databaseAfter.cpuSeconds - databaseBefore.cpuSeconds) /
            (seconds + S.warmupMs / 1000 + 1)) *
            100,
        )
      : null,
  };
  // CPU seconds a second over deliveries a second: the server's CPU time per delivered message.
  result.serverCpuUsPerDelivery =
    result.serverCpuPercent === null || result.deliveriesPerSecond === 0
      ? null
      : +((result.serverCpuPercent * 1e4) / result.deliveriesPerSecond).toFixed(1);
  log(
    `${label} ${result.loop}: ${result.ackedPerSecond} acked/s, ${result.deliveriesPerSecond} deliveries/s, ack p99 ${result.sendToAckMs.p99} ms, server CPU ${result.serverCpuPercent}% (${result.serverCpuUsPerDelivery} µs a delivery), database CPU ${result.databaseCpuPercent}%`,
  );
  return result;
}

async function dbCeiling(uri) {
  const client = await MongoClient.connect(uri, { writeConcern: { w: 'majority', journal: true } });
  const collection = client.db().collection('bench_ceiling');
  const conversationId = new ObjectId();
  let seq = 0;
  const batch = () =>
    Array.from({ length: 100 }, () => {
      seq += 1;
      const _id = new ObjectId();
      return {
        _id,
        conversationId,
        seq,
        senderId: conversationId,
        receiverId: null,
        body: 'x'.repeat(BODY_BYTES),
        clientMsgId: null,
        dedupeKey: `m:${_id}`,
        createdAt: new Date(),
        editedAt: null,
        deletedAt: null,
      };
    });
  const until = Date.now() + S.warmupMs + S.durationMs;
  let stored = 0;
  const measuredFrom = Date.now() + S.warmupMs;
  while (Date.now() < until) {
    await collection.insertMany(batch(), { ordered: false });
    if (Date.now() >= measuredFrom) stored += 100;
  }
  await collection.drop();
  await client.close();
  const result = {
    scenario: 'db-ceiling (insertMany of 100)',
    storedPerSecond: Math.round(stored / (S.durationMs / 1000)),
  };
  log(`${result.scenario}: ${result.storedPerSecond} stored/s`);
  return result;
}

async function idleSockets(url, serverPid, users) {
  const before = procStats(serverPid).rssMb;
  const perLoader = Math.ceil(S.idleSockets / S.loaders);
  const children = Array.from({ length: S.loaders }, () => {
    // In waves of 100, each waiting for the last to connect: a burst of thousands of handshakes
    // overflows the listen backlog, which is a test of the kernel, not of the server.
    const script = `
      import { io } from 'socket.io-client';
      const users = ${JSON.stringify(users.map((u) => u.token))};
      const open = (i) => new Promise((resolve) => {
        const s = io('${url}/chat', { auth: { token: users[i % users.length] }, transports: ['websocket'], forceNew: true, reconnection: false });
        s.once('connect', resolve);
        s.once('connect_error', (e) => { process.stderr.write(e.message + '\\n'); process.exit(1); });
      });
      for (let i = 0; i < ${perLoader}; i += 100) {
        await Promise.all(Array.from({ length: Math.min(100, ${perLoader} - i) }, (_, j) => open(i + j)));
      }
      process.stdout.write('open\\n');`;
    return spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  });
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve, reject) => {
          child.stdout.on('data', resolve);
          child.once('exit', (code) => reject(new Error(`idle sockets exited ${code}`)));
        }),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const after = procStats(serverPid).rssMb;
  children.forEach((child) => child.kill('SIGKILL'));
  const result = {
    sockets: perLoader * S.loaders,
    rssBeforeMb: Math.round(before),
    rssAfterMb: Math.round(after),
    kibPerSocket: Math.round(((after - before) * 1024) / (perLoader * S.loaders)),
  };
  log(`idle: ${result.sockets} sockets, ${result.kibPerSocket} KiB each`);
  return result;
}

// A pair with no messages yet (users 0 and 2 are in no direct conversation together).
async function history(url, uri, [a, , b]) {
  const { id } = await post(`${url}/api/conversations/direct`, a.token, { userId: b.id });
  const client = await MongoClient.connect(uri);
  const messages = client.db().collection('messages');
  const conversationId = new ObjectId(id);
  const senderId = new ObjectId(a.id);
  for (let from = 1; from <= S.historyMessages; from += 5000) {
    const docs = [];
    for (let seq = from; seq < Math.min(from + 5000, S.historyMessages + 1); seq++) {
      const _id = new ObjectId();
      docs.push({
        _id,
        conversationId,
        seq,
        senderId,
        receiverId: new ObjectId(b.id),
        body: `message ${seq}`,
        clientMsgId: null,
        dedupeKey: `m:${_id}`,
        createdAt: new Date(),
        editedAt: null,
        deletedAt: null,
      });
    }
    await messages.insertMany(docs, { ordered: false });
  }
  await client.close();
  const timed = async (query) => {
    const samples = [];
    // Bounded in time too, so a slow server cannot stretch the run past its budget.
    const until = Date.now() + 20_000;
    for (let i = 0; i < S.historySamples && Date.now() < until; i++) {
      const started = performance.now();
      await json(`${url}/api/conversations/${id}/messages${query}`, {
        headers: { authorization: `Bearer ${a.token}` },
      });
      samples.push(performance.now() - started);
    }
    return { samples: samples.length, p50: pct(samples, 50), p99: pct(samples, 99) };
  };
  const result = {
    messages: S.historyMessages,
    latestPageMs: await timed('?limit=50'),
    deepPageMs: await timed(`?limit=50&beforeSeq=${Math.floor(S.historyMessages / 2)}`),
  };
  log(`history: latest p99 ${result.latestPageMs.p99} ms, deep p99 ${result.deepPageMs.p99} ms`);
  return result;
}

/** One shape's closed loop (or open loop at `rate`) against each target (label, url, pid). */
async function shapeLoops(shape, productUrl, users, targets, rate) {
  const assigned = await conversationsFor(shape, productUrl, users);
  const mode = rate > 0 ? 'open' : 'closed';
  const runs = [];
  for (const [label, url, pid] of targets) {
    runs.push(await measure(`${label}, ${shapeName(shape)}`, url, pid, assigned, mode, rate));
  }
  return runs;
}

/** The product's closed loops as fractions of the relay's in the same run (#18's targets). */
function againstRelay(runs) {
  const closed = (label, name) =>
    runs.find((r) => r.scenario === `${label}, ${name}` && r.loop === 'closed');
  const lines = [];
  for (const name of ['1:1', '10-member groups']) {
    const [product, relay] = [closed('product', name), closed('relay', name)];
    if (!product || !relay) continue;
    const percent = (key) => `${Math.round((100 * product[key]) / relay[key])}%`;
    const cpu =
      product.serverCpuUsPerDelivery && relay.serverCpuUsPerDelivery
        ? `${(product.serverCpuUsPerDelivery / relay.serverCpuUsPerDelivery).toFixed(1)}×`
        : '–';
    lines.push(
      `Product against the relay, ${name}, closed loop: ${percent('ackedPerSecond')} of its acked/s, ${percent('deliveriesPerSecond')} of its deliveries/s, ${cpu} its server CPU a delivery.`,
      '',
    );
  }
  return lines;
}

function markdown(report) {
  const row = (r) =>
    `| ${r.scenario} | ${r.loop} | ${r.ackedPerSecond} | ${r.deliveriesPerSecond} | ${r.sendToAckMs.p50} / ${r.sendToAckMs.p95} / ${r.sendToAckMs.p99} | ${r.sendToDeliverMs.p50} / ${r.sendToDeliverMs.p95} / ${r.sendToDeliverMs.p99} | ${r.errors} | ${r.serverCpuPercent ?? '–'} | ${r.serverCpuUsPerDelivery ?? '–'} | ${r.serverPeakRssMb ?? '–'} | ${r.databaseCpuPercent ?? '–'} |`;
  return [
    `# Benchmark ${report.date}${report.quick ? ' (quick)' : ''}`,
    '',
    `Machine: ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGb} GiB, Node ${report.machine.node}, database ${report.machine.database}. Messages of ${BODY_BYTES} bytes; ${S.users} users over ${S.loaders} load processes; ${S.durationMs / 1000} s measured after ${S.warmupMs / 1000} s warm-up.`,
    '',
    '| scenario | loop | acked/s | deliveries/s | send→ack ms p50/p95/p99 | send→deliver ms p50/p95/p99 | errors | server CPU % | server CPU µs a delivery | server peak RSS MB | database CPU % |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.runs.map(row),
    '',
    ...againstRelay(report.runs),
    `db-ceiling: ${report.dbCeiling.storedPerSecond} stored/s (driver insertMany, batches of 100, same write concern).`,
    '',
    `Idle: ${report.idle.sockets} authenticated sockets cost ${report.idle.kibPerSocket} KiB of server RSS each (${report.idle.rssBeforeMb} → ${report.idle.rssAfterMb} MB).`,
    '',
    `History in a conversation of ${report.history.messages} messages: latest page p50 ${report.history.latestPageMs.p50} ms, p99 ${report.history.latestPageMs.p99} ms; deep page p50 ${report.history.deepPageMs.p50} ms, p99 ${report.history.deepPageMs.p99} ms.`,
    filesMarkdown(report.files),
    '',
  ].join('\n');
}

async function main() {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'chat-bench-db-'));
  const database = await startEmbeddedDatabase({ dataDir, dbName: 'bench', log });
  databasePid = database.pid;
  const children = [];
  try {
    // The product as production runs it, and the same build with group commit off ("naive":
    // one insert and one activity update per message, conversations written in parallel).
    const server = await startServer(database.uri, {});
    children.push(server);
    const naive = onlyShape
      ? null
      : await startServer(database.uri, {
          MESSAGE_BATCH_MAX: '1',
          MESSAGE_WRITES_IN_FLIGHT: '1000',
        });
    if (naive) children.push(naive);
    const { url } = server;
    const relayPort = await freePort();
    const relay = await launch({
      name: 'the relay',
      command: process.execPath,
      args: [...profileArgs, join(root, 'bench/relay-server.mjs'), String(relayPort)],
      stdio: ['ignore', 'ignore', 'inherit'],
      ready: () => portOpen(relayPort),
    });
    children.push(relay);
    const relayUrl = `http://127.0.0.1:${relayPort}`;

    log('registering users');
    const users = await registerUsers(url, S.users);

    if (onlyShape) {
      const runs = await shapeLoops(
        onlyShape,
        url,
        users,
        [
          ['relay', relayUrl, relay.pid],
          ['product', url, server.pid],
        ],
        openRate,
      );
      process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      log(`product's commits: ${await batchSizes(url)}`);
      return;
    }

    // Quiet measurements first. History comes last: on FerretDB v1 every query's cost grows with
    // the collection, so 100,000 stored messages would slow every later run.
    const idle = await idleSockets(url, server.pid, users);
    const ceiling = await dbCeiling(database.uri);

    const runs = [];
    for (const shape of S.shapes) {
      const assigned = await conversationsFor(shape, url, users);
      const name = shapeName(shape);
      const targets = [
        ['relay', relayUrl, relay.pid],
        ['naive', naive.url, naive.pid],
        ['product', url, server.pid],
      ];
      for (const [rate, mode] of [[0, 'closed'], ...S.openRates.map((r) => [r, 'open'])]) {
        for (const [label, targetUrl, pid] of targets) {
          runs.push(await measure(`${label}, ${name}`, targetUrl, pid, assigned, mode, rate));
        }
      }
    }
    const report = {
      date: new Date().toISOString(),
      quick,
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim(),
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        database:
          `${database.kind} ${database.kind === 'ferretdb' ? 'v1.24.2 (SQLite)' : ''}`.trim(),
      },
      settings: S,
      runs,
      dbCeiling: ceiling,
      idle,
      history: await history(url, database.uri, users),
    };
    // Last: it fills the database with chunks, which would slow every later run on FerretDB.
    const filesDir = mkdtempSync(join(os.tmpdir(), 'chat-bench-files-'));
    const local = await startServer(database.uri, { FILE_STORAGE: 'local', DATA_DIR: filesDir });
    try {
      report.files = await fileRates({
        uri: database.uri,
        gridFsUrl: url,
        localUrl: local.url,
        token: users[0].token,
        ...S.files,
        log,
      });
    } finally {
      await local.stop();
      rmSync(filesDir, { recursive: true, force: true });
    }
    mkdirSync(outDir, { recursive: true });
    const stamp = report.date.replace(/[:.]/g, '-');
    writeFileSync(join(outDir, `bench-${stamp}.json`), JSON.stringify(report, null, 2));
    writeFileSync(join(outDir, `bench-${stamp}.md`), markdown(report));
    if (!quick) writeFileSync(join(outDir, 'latest.md'), markdown(report));
    process.stdout.write(markdown(report));
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
