// The benchmark: `npm run bench` (full, a few minutes) or `npm run bench -- --quick` (CI, < 1 min);
// `--profile` also writes the servers' CPU profiles; `--shape direct|group` runs only that
// shape's closed loop (or `--rate N`: open loop) against the product and the relay, so profiles
// show the cost per message.
// Starts a fresh database, the built server as production runs it, a bare socket.io relay, and
// load from real socket.io clients in separate processes; writes JSON and markdown figures to
// bench/results/ (or --out DIR). This file only wires the scenarios, one file each:
// throughput.mjs, db-ceiling.mjs, idle-sockets.mjs, history.mjs, files.mjs; report.mjs writes
// the markdown.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { freePort, launch, portOpen, startEmbeddedDatabase } from '@nest-chat/dev-tools';
import { dbCeiling } from './db-ceiling.mjs';
import { fileRates } from './files.mjs';
import {
  batchSizes,
  conversationsFor,
  log,
  registerUsers,
  root,
  shapeName,
  startServer as startBuiltServer,
} from './harness.mjs';
import { history } from './history.mjs';
import { idleSockets } from './idle-sockets.mjs';
import { markdown } from './report.mjs';
import { measure, shapeLoops } from './throughput.mjs';

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
const startServer = (uri, env) => startBuiltServer(uri, env, profileArgs);

async function main() {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'chat-bench-db-'));
  const database = await startEmbeddedDatabase({ dataDir, dbName: 'bench', log });
  const context = { S, databasePid: database.pid };
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
        context,
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
    const idle = await idleSockets(S, url, server.pid, users);
    const ceiling = await dbCeiling(S, database.uri);

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
          runs.push(
            await measure(context, `${label}, ${name}`, targetUrl, pid, assigned, mode, rate),
          );
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
      history: await history(S, url, database.uri, users),
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
