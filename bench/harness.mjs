// What both benchmarks (run.mjs, scale-out.mjs) share: the built server started as production
// runs it, process CPU and memory from /proc, the REST calls that set a run up, and the load
// processes (load-client.mjs).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, httpOk, launch, percentile } from '@nest-chat/dev-tools';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BODY_BYTES = 100;
// One secret for every server of a run, so a token works on any of them.
const SECRET = randomBytes(32).toString('hex');
export const METRICS_TOKEN = randomBytes(16).toString('hex');

export const log = (line) => process.stderr.write(`[bench] ${line}\n`);

/** A percentile rounded for the tables; null (not NaN, which JSON cannot hold) when empty. */
export const pct = (values, p) => (values.length === 0 ? null : +percentile(values, p).toFixed(2));
export const summary = (values) => ({
  p50: pct(values, 50),
  p95: pct(values, 95),
  p99: pct(values, 99),
});

export function procStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuSeconds: ticks / 100, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** The built server as production runs it, limits raised out of the way; `nodeArgs` go to node. */
export async function startServer(uri, env, nodeArgs = []) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await launch({
    name: 'the server',
    command: process.execPath,
    args: [...nodeArgs, join(root, 'dist/main.js')],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      MONGODB_URI: uri,
      JWT_SECRET: SECRET,
      METRICS_TOKEN,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_SENDS: '100000000',
      RATE_LIMIT_EVENTS: '100000000',
      RATE_LIMIT_REQUESTS: '100000000',
      RATE_LIMIT_AUTH: '100000000',
      SOCKET_MAX_CONNECTIONS_PER_USER: '100000',
      SOCKET_PACKETS_PER_SECOND: '100000000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    ready: () => httpOk(`${url}/api/health/ready`),
  });
  return Object.assign(server, { url });
}

export async function json(url, init) {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status}`);
  return response.status === 204 ? null : response.json();
}

export const post = (url, token, body) =>
  json(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });

/** `count` fresh users, each with its id and access token. */
export async function registerUsers(url, count) {
  const run = randomBytes(3).toString('hex');
  const users = [];
  for (let i = 0; i < count; i++) {
    const { user, accessToken } = await post(`${url}/api/auth/register`, null, {
      username: `bench_${run}_${i}`,
      password: 'benchmark password',
    });
    users.push({ id: user.id, token: accessToken });
  }
  return users;
}

export const shapeName = (shape) => (shape === 'direct' ? '1:1' : '10-member groups');

/** Each user with the conversation it sends to: pairs (`direct`) or groups of ten. */
export async function conversationsFor(shape, url, users) {
  const assigned = [];
  if (shape === 'direct') {
    for (let i = 0; i + 1 < users.length; i += 2) {
      const { id } = await post(`${url}/api/conversations/direct`, users[i].token, {
        userId: users[i + 1].id,
      });
      assigned.push({ ...users[i], conversationId: id }, { ...users[i + 1], conversationId: id });
    }
  } else {
    for (let i = 0; i + 10 <= users.length; i += 10) {
      const members = users.slice(i, i + 10);
      const { id } = await post(`${url}/api/conversations`, members[0].token, {
        title: `bench ${i}`,
        memberIds: members.slice(1).map((m) => m.id),
      });
      assigned.push(...members.map((m) => ({ ...m, conversationId: id })));
    }
  }
  return assigned;
}

/**
 * One load process (load-client.mjs) for `config` (url, users, mode, rate, warmupMs, durationMs):
 * resolves with its figures (acked, errors, refusals by code, timeouts, deliveries, latencies).
 */
export function runLoader(config) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(root, 'bench/load-client.mjs'), JSON.stringify({ bodyBytes: BODY_BYTES, ...config })],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.once('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`load client exited ${code}`);
        resolve(JSON.parse(out));
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** The product's group commit, from its metrics: how many batches, and their mean size. */
export async function batchSizes(url) {
  const metrics = await fetch(`${url}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  }).then((response) => response.text());
  const value = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  const count = value('chat_message_batch_size_count');
  return `${count} batches of ${(value('chat_message_batch_size_sum') / count).toFixed(1)} messages on average`;
}
