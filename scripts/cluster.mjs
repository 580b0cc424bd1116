// Runs the production shape locally: two server processes (ports 3001 and 3002) sharing one
// Redis and one database. `npm run cluster`; Ctrl-C stops everything.
// Needs the build (dist/); installs Debian's redis-server the first time (scripts/install-redis.sh).
// MONGODB_URI, if set, is used as the database.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { freePort, startEmbeddedDatabase } = require('../dist/database/embedded-database.js');

const ports = (process.env.CLUSTER_PORTS ?? '3001,3002').split(',').map(Number);
const children = [];
const log = (line) => console.log(`[cluster] ${line}`);

let redisServer;
try {
  redisServer = execFileSync('bash', [new URL('install-redis.sh', import.meta.url).pathname], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
} catch {
  process.exit(1); // the script said why
}
const redisPort = await freePort();
const redis = spawn(
  redisServer,
  ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  { stdio: 'ignore' },
);
redis.once('error', (error) => {
  console.error(`redis-server could not start: ${error.message}`);
  process.exit(1);
});
children.push(redis);

let database;
if (!process.env.MONGODB_URI) {
  database = await startEmbeddedDatabase({ dataDir: process.env.DATA_DIR || 'data', log });
}
const env = {
  ...process.env,
  MONGODB_URI: process.env.MONGODB_URI ?? database.uri,
  REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  // Every process must verify the others' tokens.
  JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
};
for (const port of ports) {
  const server = spawn(process.execPath, ['dist/main.js'], {
    env: { ...env, PORT: String(port) },
    stdio: 'inherit',
  });
  children.push(server);
  log(`server on http://localhost:${port} (pid ${server.pid})`);
}
log(`redis on 127.0.0.1:${redisPort}, database ${env.MONGODB_URI}`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  const exited = (child) =>
    child.exitCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
  const servers = children.slice(1);
  servers.forEach((child) => child.kill('SIGTERM'));
  await Promise.all(servers.map(exited));
  redis.kill('SIGTERM');
  await exited(redis);
  await database?.stop();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
