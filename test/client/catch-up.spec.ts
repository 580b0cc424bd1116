import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import type { MessagePage, SyncPayload } from '../../client/src';
import { ChatClient } from '../../client/src';
import { messageAt } from './message-fixture';

/**
 * The client's catch-up against a scripted socket.io server (a stub of the chat server that keeps
 * the contract for `sync` and `changes`), so each case can decide exactly when answers come, fail
 * or are cut off. The same behaviour against the real server is in chat-client.e2e-spec and the
 * connection-jitter faults scenario.
 */

const message = (seq: number) => messageAt(seq);

type SyncReply = { ok: true } & MessagePage;
type Refusal = { ok: false; error: { code: string; message: string } };
/** How the stub answers one `sync`: a reply, or nothing (the test cut the connection). */
type SyncHandler = (payload: SyncPayload, socket: Socket) => SyncReply | Refusal | undefined;

/** `sync` as the contract has it, over messages 1..stored of every conversation. */
function contractSync(stored: number) {
  return ({ conversationId, afterSeq, beforeSeq, except = [], limit = 50 }: SyncPayload) => {
    const wanted = Array.from({ length: stored }, (_, i) => i + 1).filter(
      (seq) =>
        seq > afterSeq &&
        seq < (beforeSeq ?? Infinity) &&
        !except.some(([from, to]) => seq >= from && seq <= to),
    );
    const items = wanted.slice(0, limit).map((seq) => messageAt(seq, conversationId));
    return { ok: true as const, items, hasMore: wanted.length > limit };
  };
}

describe('ChatClient catch-up', () => {
  let http: HttpServer;
  let io: Server;
  let url: string;
  let onSync: SyncHandler;
  let onConnection: (socket: Socket) => void;
  const requests: SyncPayload[] = [];
  const clients: ChatClient[] = [];

  beforeEach(async () => {
    requests.length = 0;
    onConnection = () => undefined;
    http = createServer();
    io = new Server(http);
    io.of('/chat').on('connection', (socket) => {
      socket.on('sync', (payload: SyncPayload, ack: (reply: unknown) => void) => {
        requests.push(payload);
        const reply = onSync(payload, socket);
        if (reply) ack(reply);
      });
      socket.on('changes', (_payload: unknown, ack: (reply: unknown) => void) =>
        ack({ ok: true, items: [], hasMore: false, lastRev: 0 }),
      );
      onConnection(socket);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    clients.splice(0).forEach((client) => client.disconnect());
    await new Promise<void>((resolve) => void io.close(() => resolve()));
  });

  function client(): { client: ChatClient; seqs: number[] } {
    const created = new ChatClient({
      url,
      token: 't',
      retryBaseMs: 20,
      retryMaxMs: 50,
      socket: { transports: ['websocket'], reconnectionDelay: 20, reconnectionDelayMax: 50 },
    });
    clients.push(created);
    const seqs: number[] = [];
    created.on('message', (m) => seqs.push(m.seq));
    return { client: created, seqs };
  }

  const until = async (predicate: () => boolean, timeoutMs = 5_000): Promise<void> => {
    for (const deadline = Date.now() + timeoutMs; !predicate();) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const range = (from: number, to: number): number[] =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('retries a sync the server sheds (UNAVAILABLE) until it converges', async () => {
    const answer = contractSync(5);
    let refusals = 2;
    onSync = (payload) =>
      refusals-- > 0
        ? { ok: false, error: { code: 'UNAVAILABLE', message: 'reading too much' } }
        : answer(payload);
    const { client: chat, seqs } = client();
    chat.track('c', 0, 0);
    chat.connect();
    await until(() => seqs.length === 5);
    expect(seqs).toEqual(range(1, 5));
    expect(requests.map((r) => r.afterSeq)).toEqual([0, 0, 0]);
  });

  it('asks for the gap below what it heard live, and later for the tail beyond it: nothing twice', async () => {
    onSync = contractSync(7);
    // Heard live at once after the connect: 6 and 7 (3 to 5 were missed while away).
    onConnection = (socket) => [6, 7].forEach((seq) => socket.emit('message:new', message(seq)));
    const { client: chat, seqs } = client();
    chat.track('c', 2, 0);
    chat.connect();
    await until(() => seqs.length === 5 && requests.length === 2);
    expect(seqs).toEqual(range(3, 7));
    expect(requests).toEqual([
      { conversationId: 'c', afterSeq: 2, beforeSeq: 6, limit: 100 },
      { conversationId: 'c', afterSeq: 7, limit: 100 },
    ]);
  });

  it('a reconnect in the middle of a catch-up goes on from where it stood', async () => {
    const answer = contractSync(250);
    let cut = false;
    onSync = (payload, socket) => {
      if (payload.afterSeq === 100 && !cut) {
        cut = true;
        socket.conn.close(); // the connection drops before the second page is answered
        return undefined;
      }
      return answer(payload);
    };
    const { client: chat, seqs } = client();
    chat.track('c', 0, 0);
    chat.connect();
    await until(() => seqs.length === 250);
    expect(seqs).toEqual(range(1, 250));
    // Page 1, page 2 (cut), page 2 again on the new connection, page 3: never from 0 again.
    expect(requests.map((r) => r.afterSeq)).toEqual([0, 100, 100, 200]);
  });

  it('paces many conversations catching up at once: four reads at a time, each in its turn', async () => {
    // c1 has two pages to read; c2 to c8 one each.
    const answer = (payload: SyncPayload) =>
      contractSync(payload.conversationId === 'c1' ? 150 : 100)(payload);
    let inFlight = 0;
    let most = 0;
    const held: (() => void)[] = [];
    const order: string[] = [];
    onSync = () => undefined;
    onConnection = (socket) => {
      socket.removeAllListeners('sync');
      socket.on('sync', (payload: SyncPayload, ack: (reply: unknown) => void) => {
        order.push(`${payload.conversationId}@${payload.afterSeq}`);
        most = Math.max(most, ++inFlight);
        const reply = answer(payload);
        held.push(() => {
          inFlight -= 1;
          ack(reply);
        });
      });
    };
    const { client: chat } = client();
    const ids = range(1, 8).map((n) => `c${n}`);
    ids.forEach((id) => chat.track(id, 0, 0));
    chat.connect();
    // Answer whatever waits, one at a time, until every conversation has been read through.
    for (const deadline = Date.now() + 5_000; order.length < 9 || held.length > 0;) {
      if (Date.now() > deadline) throw new Error(`stuck after ${order.join(' ')}`);
      held.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(most).toBe(4);
    // c1's second page queued behind the other conversations' first pages.
    expect(order.indexOf('c1@100')).toBeGreaterThan(order.indexOf('c8@0'));
    expect(ids.map((id) => chat.lastSeq(id))).toEqual([150, ...ids.slice(1).map(() => 100)]);
  });
});
