// Runs the production shape locally: two server processes (ports 3001 and 3002) sharing one
// Redis and one database. `npm run cluster`; Ctrl-C stops everything.
// Needs the build (dist/); installs Debian's redis-server the first time (scripts/install-redis.sh).
// MONGODB_URI, if set, is used as the database.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { httpOk, launch, startEmbeddedDatabase, startRedis } from '@nest-chat/dev-tools';

const ports = (process.env.CLUSTER_PORTS ?? '3001,3002').split(',').map(Number);
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
const redis = await startRedis(redisServer);

let database;
if (!process.env.MONGODB_URI) {
  database = await startEmbeddedDatabase({ dataDir: process.env.DATA_DIR || 'data', log });
}
const env = {
  ...process.env,
  MONGODB_URI: process.env.MONGODB_URI ?? database.uri,
  REDIS_URL: redis.url,
  // Every process must verify the others' tokens.
  JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
};
const servers = await Promise.all(
  ports.map((port) =>
    launch({
      name: `the server on port ${port}`,
      command: process.execPath,
      args: ['dist/main.js'],
      env: { ...env, PORT: String(port) },
      stdio: 'inherit',
      ready: () => httpOk(`http://127.0.0.1:${port}/api/health/ready`),
    }),
  ),
);
servers.forEach((server, i) => log(`server on http://localhost:${ports[i]} (pid ${server.pid})`));
log(`redis on ${redis.url}, database ${env.MONGODB_URI}`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await Promise.all(servers.map((server) => server.stop()));
  await redis.stop();
  await database?.stop();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
