// One load-generating process: real socket.io clients that send and receive, measuring
// send→ack and send→deliver. Config comes as JSON in argv[2] (a user's own `url`, if it has one,
// wins over the config's); the summary goes to stdout as JSON.
import { io } from 'socket.io-client';

const config = JSON.parse(process.argv[2]);
const { url, users, mode, rate, warmupMs, durationMs, bodyBytes } = config;

const ackLatencies = [];
const deliverLatencies = [];
let acked = 0;
/** Ids of the messages sent while recording and acked (when `ackedIds` is asked for). */
const ackedIds = [];
let errors = 0;
/** Error acks by their code, and sends with no ack within 10 s. */
const refusals = {};
let timeouts = 0;
let deliveries = 0;
let recording = false;
let sending = true;

const pad = 'x'.repeat(Math.max(0, bodyBytes - 14));
const body = () => `${Date.now().toString().padStart(13, '0')}|${pad}`;

const sockets = await Promise.all(
  users.map(
    (user) =>
      new Promise((resolve, reject) => {
        const socket = io(`${user.url ?? url}/chat`, {
          auth: { token: user.token, rooms: [user.conversationId] },
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
        });
        socket.on('message:new', (message) => {
          if (!recording) return;
          deliveries += 1;
          deliverLatencies.push(Date.now() - Number(message.body.slice(0, 13)));
        });
        socket.once('connect', () => resolve({ socket, user }));
        socket.once('connect_error', reject);
      }),
  ),
);

async function sendOne({ socket, user }) {
  const started = performance.now();
  const sentWhileRecording = recording;
  try {
    const reply = await socket
      .timeout(10_000)
      .emitWithAck('message:send', { conversationId: user.conversationId, body: body() });
    if (!recording) return;
    if (reply.ok) {
      acked += 1;
      ackLatencies.push(performance.now() - started);
      if (config.ackedIds && sentWhileRecording) ackedIds.push(reply.message.id);
    } else {
      errors += 1;
      const code = reply.error?.code ?? 'unknown';
      refusals[code] = (refusals[code] ?? 0) + 1;
    }
  } catch {
    if (!recording) return;
    errors += 1;
    timeouts += 1;
  }
}

const done = new Promise((resolve) => {
  setTimeout(() => (recording = true), warmupMs);
  setTimeout(() => {
    sending = false;
    // Let the last deliveries arrive before the figures are taken.
    setTimeout(() => {
      recording = false;
      resolve();
    }, 1000);
  }, warmupMs + durationMs);
});

if (mode === 'closed') {
  // One message in flight per socket, sent again as soon as it is acked.
  for (const client of sockets) {
    void (async () => {
      while (sending) await sendOne(client);
    })();
  }
} else {
  // Open loop: `rate` messages per second from this process, whatever the server's pace.
  const tickMs = 10;
  let next = 0;
  let carry = 0;
  const timer = setInterval(() => {
    if (!sending) return clearInterval(timer);
    carry += (rate * tickMs) / 1000;
    for (; carry >= 1; carry -= 1) {
      void sendOne(sockets[next]);
      next = (next + 1) % sockets.length;
    }
  }, tickMs);
}

await done;
sockets.forEach(({ socket }) => socket.close());
// Every latency is kept; the write to the pipe must finish before the process exits.
const summary = JSON.stringify({
  acked,
  errors,
  refusals,
  timeouts,
  deliveries,
  ackLatencies,
  deliverLatencies,
  ...(config.ackedIds ? { ackedIds } : {}),
});
process.stdout.write(summary, () => process.exit(0));
