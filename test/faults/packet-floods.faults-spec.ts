import { createInterface } from 'node:readline';
import { io, type Socket } from 'socket.io-client';
import { percentile } from '@nest-chat/dev-tools';
import { metricOf } from '../support/metrics';
import { startServer, type Running } from '../support/processes';
import { ScenarioTally, scaled } from './support/report';

const PASSWORD = 'correct horse battery';
/** The depth the security review sent: it overflowed the stack in Nest's ValidationPipe. */
const DEPTH = 15_000;
/** The longest the server's event loop may stall while a flood is under way. */
const STALL_BOUND_MS = 100;

/**
 * Floods of packets no handler should spend much on: deeply nested JSON, invalid frames, and
 * more packets than a socket may send. Against the built server in its own process (so its health
 * latency is its own), with its log read for errors.
 */
describe('fault: packet floods (deep JSON, invalid frames, too many packets)', () => {
  const tally = new ScenarioTally(
    'Packet floods',
    `The built server in its own process (SOCKET_PACKETS_PER_SECOND 50, SOCKET_INVALID_PACKETS 20). ` +
      `Sockets send ${DEPTH.toLocaleString('en')}-deep arrays as fast as they can (600); another ` +
      "sends invalid frames; another sends 2,000 valid packets at once. Meanwhile the server's " +
      'event-loop stall is measured (its own monitorEventLoopDelay), health is probed from ' +
      'outside every 20 ms, and the log is read for ERROR lines.',
    'cases where a flood was not answered within its bounds',
  );
  afterAll(() => tally.record());

  let server: Running;
  const errorLines: string[] = [];
  let token = '';

  beforeAll(async () => {
    server = await startServer(
      {
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
        SOCKET_PACKETS_PER_SECOND: '50',
        SOCKET_INVALID_PACKETS: '20',
        SOCKET_MAX_CONNECTIONS_PER_USER: '100',
        RATE_LIMIT_EVENTS: '1000000',
      },
      { logs: true },
    );
    const stdout = server.process.stdout;
    if (stdout) {
      createInterface({ input: stdout }).on('line', (line) => {
        if (/"level":(50|60)/.test(line)) errorLines.push(line.slice(0, 300));
      });
    }
    const response = await fetch(`${server.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `flood_${process.pid}`, password: PASSWORD }),
    });
    token = ((await response.json()) as { accessToken: string }).accessToken;
  }, 60_000);
  afterAll(() => server?.stop());

  const connect = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket = io(`${server.url}/chat`, {
        auth: { token },
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
      });
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });

  interface Health {
    /** /api/health answer times from outside, ms (on a loaded machine they include the wait
     * for a CPU, which the flooding client and the database share with the server). */
    latencies: number[];
    /** The server's own longest event-loop stall meanwhile (monitorEventLoopDelay), ms. */
    stallMs: number;
  }

  /** Probes /api/health every 20 ms while `flood` runs, and reads the server's stall. */
  const healthDuring = async (flood: () => Promise<void>): Promise<Health> => {
    const latencies: number[] = [];
    // A scrape resets the server's event-loop histogram, so the next one covers only the flood.
    await metricOf(server, 'nodejs_eventloop_lag_max_seconds');
    let flooding = true;
    const probing = (async () => {
      while (flooding) {
        const started = performance.now();
        await fetch(`${server.url}/api/health`);
        latencies.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      await flood();
    } finally {
      flooding = false;
      await probing;
    }
    const stallMs = (await metricOf(server, 'nodejs_eventloop_lag_max_seconds')) * 1000;
    return { latencies, stallMs };
  };

  /** The figures of one flood's health: the stall is the bound; the probes say how it felt. */
  const healthFigures = (flood: string, { latencies, stallMs }: Health) => {
    tally.figure({
      name: `server's longest event-loop stall during the ${flood}`,
      value: Math.round(stallMs),
      unit: 'ms',
      mustBeBelow: STALL_BOUND_MS,
    });
    tally.figure({
      name: `health p99 from outside during the ${flood}`,
      value: Math.round(percentile(latencies, 99)),
      unit: 'ms',
    });
  };

  /** Writes a raw socket.io EVENT packet (the client's encoder would recurse on a deep payload). */
  const writeRaw = (socket: Socket, json: string) =>
    (socket.io.engine as unknown as { write(data: string): void }).write(`2/chat,${json}`);

  it('deep JSON: every frame is refused VALIDATION_FAILED without walking it, health stays fast, nothing is logged at ERROR', () =>
    tally.run(async () => {
      const frames = scaled(20, 600);
      // Raw: `[ "message:send", [[[…]]] ]` with DEPTH levels (30 KB, under the frame cap).
      const deep = `["message:send",${'['.repeat(DEPTH)}1${']'.repeat(DEPTH)}]`;
      // 20 frames per socket: under its packet budget and its invalid-frame limit, so every
      // frame reaches validation and is answered (dropping sockets is the next case).
      const sockets = await Promise.all(
        Array.from({ length: Math.ceil(frames / 20) }, () => connect()),
      );
      const refusals: string[] = [];
      for (const socket of sockets) {
        socket.on('exception', (error: { error?: { code?: string } }) =>
          refusals.push(error.error?.code ?? ''),
        );
      }
      const health = await healthDuring(async () => {
        for (let i = 0; i < frames; i += 1) writeRaw(sockets[i % sockets.length], deep);
        const deadline = Date.now() + 30_000;
        while (refusals.length < frames && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      });
      const answered = refusals.filter((code) => code === 'VALIDATION_FAILED').length;
      tally.figure({ name: 'deep frames sent', value: frames, mustBeAtLeast: 20 });
      tally.figure({
        name: 'deep frames not answered VALIDATION_FAILED within 30 s',
        value: frames - answered,
        mustBeZero: true,
      });
      healthFigures('deep-JSON flood', health);
      expect(sockets.filter((socket) => socket.disconnected)).toEqual([]);
      sockets.forEach((socket) => socket.close());
    }));

  it('invalid frames: answered, then the connection that keeps sending them is dropped; a new one serves', () =>
    tally.run(async () => {
      const socket = await connect();
      const answers: string[] = [];
      const health = await healthDuring(async () => {
        for (let i = 0; i < 40 && socket.connected; i += 1) {
          const reply = await Promise.race([
            socket.emitWithAck('message:send', { conversationId: { $gt: '' }, body: 7 }),
            new Promise((resolve) => socket.once('disconnect', () => resolve(null))),
          ]);
          answers.push(
            (reply as { error?: { code: string } } | null)?.error?.code ?? 'disconnected',
          );
        }
      });
      const refused = answers.filter((code) => code === 'VALIDATION_FAILED').length;
      tally.figure({
        name: 'invalid frames answered before the connection was dropped',
        value: refused,
        mustBeAtLeast: 20,
      });
      healthFigures('invalid-frame flood', health);
      expect(refused).toBe(21);
      expect(socket.disconnected).toBe(true);
      const fresh = await connect();
      expect(await fresh.emitWithAck('typing', { conversationId: 'x', typing: true })).toEqual(
        expect.objectContaining({ ok: false }),
      );
      fresh.close();
    }));

  it('too many packets: those over the socket’s budget are refused RATE_LIMITED before validation; a flood is dropped', () =>
    tally.run(async () => {
      const socket = await connect();
      const codes = new Map<string, number>();
      const sent = 2_000;
      const health = await healthDuring(async () => {
        const replies = await Promise.all(
          Array.from({ length: sent }, () =>
            socket
              .timeout(3_000)
              // Valid, of a conversation that does not exist: NOT_FOUND, never an invalid frame.
              .emitWithAck('typing', { conversationId: '0123456789abcdef01234567', typing: true })
              .then(
                (reply: { error?: { code: string } }) => reply.error?.code ?? 'ok',
                () => 'unanswered',
              ),
          ),
        );
        for (const code of replies) codes.set(code, (codes.get(code) ?? 0) + 1);
      });
      const rateLimited = codes.get('RATE_LIMITED') ?? 0;
      // About the burst (200) is handled; about as many more are refused; then it is dropped.
      expect(codes.get('NOT_FOUND') ?? 0).toBeLessThan(400);
      expect(rateLimited).toBeGreaterThan(100);
      expect(socket.disconnected).toBe(true);
      tally.figure({ name: 'packets sent at once', value: sent });
      tally.figure({ name: 'of them refused RATE_LIMITED before validation', value: rateLimited });
      healthFigures('packet flood', health);
    }));

  it('logged nothing at ERROR for any of it', () =>
    tally.run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      tally.figure({
        name: 'ERROR log lines during the floods',
        value: errorLines.length,
        mustBeZero: true,
      });
      expect(errorLines).toEqual([]);
    }));
});
