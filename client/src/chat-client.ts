import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type {
  AuthResult,
  Change,
  ClientToServerEvents,
  Conversation,
  ConversationChangedEvent,
  DeliveredEvent,
  FileInfo,
  HistoryQuery,
  ListConversationsQuery,
  LoginBody,
  Message,
  MessagePage,
  PresenceEvent,
  ReadEvent,
  RegisterBody,
  SendMessagePayload,
  SendTarget,
  ServerToClientEvents,
} from '@nest-chat/protocol';
import { abortReason, backoffDelay, sleep } from './backoff.js';
import { ChatError } from './chat-error.js';
import { newClientMsgId } from './client-msg-id.js';
import { ConversationFeed } from './conversation-feed.js';
import type { UploadProgress } from './file-transfer.js';
import { type ClientSession, SessionKeeper } from './session-keeper.js';
import { Emitter } from './emitter.js';
import { ReadPacer } from './read-pacer.js';
import { RestClient } from './rest-client.js';
import { SingleFlight } from './single-flight.js';
import { TypingThrottle } from './typing-throttle.js';
import { TypingTracker } from './typing-tracker.js';

/**
 * - `offline`: not started, or `disconnect()` was called;
 * - `connecting`: connecting or reconnecting (sends wait, then go out);
 * - `online`: connected, missed messages being caught up;
 * - `signed-out`: the session ended (or the token was refused) and nothing renewed it.
 */
export type ConnectionState = 'offline' | 'connecting' | 'online' | 'signed-out';

export type ChatClientEvents = {
  /** A new message: each once, in seq order within its conversation, live or caught up. */
  message: [message: Message];
  /**
   * An edit, a delete (body `""`, `deletedAt` set) or new reaction counts of a message: each once,
   * in rev order within its conversation, live or caught up after a reconnect.
   */
  messageChanged: [message: Message];
  /**
   * A member joined or left, the title changed, or a message was pinned or unpinned (`kind`
   * `pin`, with `message`): as `messageChanged`, once and in rev order.
   */
  conversationChanged: [event: ConversationChangedEvent];
  /** The user is no longer a member of the conversation (left, or was removed): it is untracked. */
  removed: [conversationId: string];
  /** A member's read pointer moved (the user's own, from another device, too). */
  read: [event: ReadEvent];
  /** Another member's clients now hold every message up to `seq`. */
  delivered: [event: DeliveredEvent];
  /** Who is typing in a conversation now. */
  typing: [conversationId: string, userIds: string[]];
  presence: [event: PresenceEvent];
  /** The user was added to a conversation (or a direct one was opened with them). */
  conversation: [conversation: Conversation];
  state: [state: ConnectionState];
  /** Something failed in the background: a catch-up, or an event sent without an ack. */
  error: [error: ChatError];
  /**
   * The session's tokens changed (signed in, renewed, signed out: null): persist it to stay signed
   * in across restarts, and pass it back as `session`.
   */
  session: [session: ClientSession | null];
};

export interface ChatClientOptions {
  /** The server's origin, e.g. `http://localhost:3000` (in a page: `location.origin`). */
  url: string;
  /** A session kept from before (see the `session` event): renewed by its refresh token. */
  session?: ClientSession | null;
  /** Only an access token (nothing renews it but `refreshToken`); `session` is preferred. */
  token?: string | null;
  /**
   * The last resort when the session cannot be renewed (it ended, or there is no refresh token):
   * return a fresh access token (e.g. sign in again), or null to stop (state `signed-out`).
   */
  refreshToken?: () => Promise<string | null> | string | null;
  /** How long to wait for an ack before trying again (default 5000). */
  ackTimeoutMs?: number;
  /**
   * How long to wait for a catch-up page (`sync`, `changes`) before asking again (default 15000):
   * longer than a send's, since a busy server queues reads (up to `PAGE_READ_WAIT_MS`), and
   * asking again only queues the same read once more.
   */
  readTimeoutMs?: number;
  /** Retry backoff: the first delay at most `retryBaseMs` (250), doubling up to `retryMaxMs` (5000). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** `typing: true` at most this often while typing (3000). */
  typingIntervalMs?: number;
  /** `typing: false` after this long without a keystroke (5000). */
  typingIdleMs?: number;
  /** Passed to socket.io-client (e.g. `transports`, `reconnectionDelay`). */
  socket?: Partial<ManagerOptions & SocketOptions>;
}

export interface UploadOptions {
  /** The file's name (a File's own name by default). */
  name?: string;
  /** The idempotency key; generated when omitted. Reuse it to retry the same upload. */
  idempotencyKey?: string;
  /** As the bytes go out (in browsers; in Node at the start and the end). */
  onProgress?: UploadProgress;
  /** Stops retrying (the file may still have been stored under its key). */
  signal?: AbortSignal;
}

export interface SendOptions {
  /** The idempotency key; generated when omitted. Reuse it to resend the same message. */
  clientMsgId?: string;
  /** Stops retrying (the message may still have been stored under its clientMsgId). */
  signal?: AbortSignal;
  /** Sends it as a reply to this message of the same conversation (see `reply()`). */
  replyToId?: string;
  /** Ids of files uploaded with `upload()` (at most 10); with any, the body may be empty. */
  attachments?: string[];
}

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type AckedEvents = Omit<ClientToServerEvents, 'typing' | 'delivered'>;
type AckedEvent = keyof AckedEvents;
type PayloadOf<E extends AckedEvent> = Parameters<AckedEvents[E]>[0];
type ReplyOf<E extends AckedEvent> = Parameters<Parameters<AckedEvents[E]>[1]>[0];
type ResultOf<E extends AckedEvent> = Extract<ReplyOf<E>, { ok: true }>;
/** socket.io's own typing of `timeout().emitWithAck` does not survive a generic event name. */
interface AckingSocket {
  emitWithAck<E extends AckedEvent>(event: E, payload: PayloadOf<E>): Promise<ReplyOf<E>>;
}

const SYNC_PAGE = 100;
/** `delivered` goes out at most this often per conversation, with the highest seq held. */
const DELIVERED_EVERY_MS = 1000;
/** Catch-up reads under way at once, over all conversations (ReadPacer). */
const SYNC_CONCURRENCY = 4;
/**
 * After a connect, a conversation's tail is read once it has been quiet this long. A busy one
 * brings a live message sooner, and the gap below that message is read exactly instead: reading
 * the tail at once would fetch again everything heard live while the read was under way.
 */
const TAIL_QUIET_MS = 300;
/** A sync leaves out at most this many runs of messages held (the server's limit). */
const SYNC_EXCEPT_RUNS = 20;

/**
 * The chat client: keeps the client's side of the contract. `send()` retries with one
 * clientMsgId until the server acks, so a message is stored once however the connection
 * behaves; after every reconnect each conversation it has seen is caught up by seq, and
 * `message` delivers each message once, in order.
 */
export class ChatClient extends Emitter<ChatClientEvents> {
  /** The REST routes, with this client's token. */
  readonly api: RestClient;
  private readonly socket: ChatSocket;
  private readonly keeper: SessionKeeper;
  private refreshedThisAttempt = false;
  private wanted = false;
  private reconnectAttempt = 0;
  private currentState: ConnectionState = 'offline';
  /** The tail of the queue of sends: each waits for the one before it. */
  private outbox: Promise<void> = Promise.resolve();
  private readonly feeds = new Map<string, ConversationFeed>();
  /** Counts connects, so a tail read answered on an earlier connection is not taken as current. */
  private connection = 0;
  private readonly reads = new ReadPacer(SYNC_CONCURRENCY);
  /** Per conversation: reads its tail once it has been quiet (TAIL_QUIET_MS). */
  private readonly quietTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Catching a conversation up by seq and then by rev (after a reconnect, or a seq gap). */
  private readonly catchUps = new SingleFlight(
    (id) => this.catchUp(id),
    () => this.socket.connected,
  );
  /** Catching a conversation up by rev only (a change heard ahead of a gap). */
  private readonly changeCatchUps = new SingleFlight(
    (id) => this.catchUpChanges(id),
    () => this.socket.connected,
  );
  private readonly readSent = new Map<string, number>();
  private readonly deliveredSent = new Map<string, number>();
  private readonly deliveredDue = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly readers = new Map<string, Map<string, number>>();
  private readonly holders = new Map<string, Map<string, number>>();
  private readonly presenceByUser = new Map<string, PresenceEvent>();
  private readonly typingOut: TypingThrottle;
  private readonly typists: TypingTracker;
  private readonly ackTimeoutMs: number;
  private readonly readTimeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(private readonly options: ChatClientOptions) {
    super();
    const initial =
      options.session ??
      (options.token ? { accessToken: options.token, refreshToken: null, expiresAt: null } : null);
    this.keeper = new SessionKeeper(
      {
        refresh: (refreshToken) => this.api.refresh(refreshToken),
        fallback: options.refreshToken,
        changed: (session) => this.emit('session', session),
        // The open socket keeps going on the new token instead of being dropped at the old one's end.
        renewed: (accessToken) => {
          if (this.socket.connected) this.socket.emit('auth:refresh', { accessToken }, () => {});
        },
      },
      initial,
    );
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5000;
    this.readTimeoutMs = options.readTimeoutMs ?? Math.max(this.ackTimeoutMs, 15_000);
    this.retryBaseMs = options.retryBaseMs ?? 250;
    this.retryMaxMs = options.retryMaxMs ?? 5000;
    const typingIntervalMs = options.typingIntervalMs ?? 3000;
    this.typingOut = new TypingThrottle(
      (conversationId, typing) => this.socket.volatile.emit('typing', { conversationId, typing }),
      typingIntervalMs,
      options.typingIdleMs ?? 5000,
    );
    this.typists = new TypingTracker(
      (conversationId, userIds) => this.emit('typing', conversationId, userIds),
      typingIntervalMs * 2,
    );
    this.api = new RestClient({
      baseUrl: options.url,
      getToken: () => this.keeper.accessToken,
      refreshToken: () => this.keeper.refresh(),
    });
    this.socket = io(new URL('/chat', options.url).toString(), {
      autoConnect: false,
      forceNew: true,
      // Read at every (re)connect, so a refreshed token is used.
      auth: (send) => send({ token: this.keeper.accessToken ?? '' }),
      ...options.socket,
    });
    this.listen();
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  get accessToken(): string | null {
    return this.keeper.accessToken;
  }

  /** The session's tokens now (what the `session` event last announced). */
  get session(): ClientSession | null {
    return this.keeper.session;
  }

  /** Uses `token` from now on (the next connect, every REST call), with nothing to renew it. */
  setToken(token: string | null): void {
    this.keeper.set(token ? { accessToken: token, refreshToken: null, expiresAt: null } : null);
  }

  /**
   * Uses `session` from now on, without announcing it (e.g. another tab renewed the one both
   * share: take its tokens, so this one never presents the spent refresh token).
   */
  useSession(session: ClientSession | null): void {
    this.keeper.set(session, false);
  }

  async register(body: RegisterBody): Promise<AuthResult> {
    const result = await this.api.register(body);
    this.keeper.adopt(result);
    return result;
  }

  async login(body: LoginBody): Promise<AuthResult> {
    const result = await this.api.login(body);
    this.keeper.adopt(result);
    return result;
  }

  /**
   * Signs out for real: the server ends the session (its tokens stop working and its sockets
   * everywhere are closed), the client disconnects and forgets it (`session` null).
   */
  async logout(): Promise<void> {
    // Disconnected first: the server's own "session ended" to this socket is no news here.
    this.disconnect();
    try {
      if (this.keeper.accessToken) await this.api.logout();
    } catch (error) {
      // Already ended (or never valid): signed out all the same.
      if (!(error instanceof ChatError && error.code === 'UNAUTHORIZED')) throw error;
    } finally {
      this.keeper.set(null);
    }
  }

  /** Connects, and keeps reconnecting until `disconnect()`. */
  connect(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.keeper.resume();
    this.setState('connecting');
    this.socket.connect();
  }

  disconnect(): void {
    this.wanted = false;
    this.keeper.stop();
    this.socket.disconnect();
    this.typingOut.clear();
    this.typists.clear();
    for (const timer of this.deliveredDue.values()) clearTimeout(timer);
    this.deliveredDue.clear();
    for (const timer of this.quietTimers.values()) clearTimeout(timer);
    this.quietTimers.clear();
    this.setState('offline');
  }

  /**
   * The app holds `conversationId` up to `lastSeq` (from the list or history): deliver what comes
   * after it, and catch up from there after reconnects. Messages of conversations never tracked
   * are delivered from the first one that arrives.
   */
  track(conversationId: string, lastSeq: number, lastRev?: number): void {
    const feed = this.feeds.get(conversationId);
    if (!feed) this.feeds.set(conversationId, new ConversationFeed(lastSeq, lastRev));
    else {
      this.deliver(feed.skipTo(lastSeq));
      if (lastRev !== undefined) feed.lastRev = Math.max(lastRev, feed.lastRev ?? 0);
    }
  }

  /** Stops delivering and catching up `conversationId` (e.g. the user left it). */
  untrack(conversationId: string): void {
    this.feeds.delete(conversationId);
    clearTimeout(this.quietTimers.get(conversationId));
    this.quietTimers.delete(conversationId);
  }

  /** The highest seq delivered in `conversationId`, if it is tracked. */
  lastSeq(conversationId: string): number | undefined {
    return this.feeds.get(conversationId)?.lastSeq;
  }

  /** The user's conversations (REST), each tracked from its latest message. */
  async conversations(query?: ListConversationsQuery): Promise<Conversation[]> {
    const list = await this.api.conversations(query);
    list.forEach((conversation) => this.rememberReads(conversation));
    for (const conversation of list)
      if (!this.feeds.has(conversation.id))
        this.track(conversation.id, conversation.lastSeq, conversation.lastRev);
    return list;
  }

  /** A page of history (REST); the latest page also tracks the conversation from its end. */
  async history(conversationId: string, query: HistoryQuery = {}): Promise<MessagePage> {
    const page = await this.api.history(conversationId, query);
    const latest = query.beforeSeq === undefined && query.afterSeq === undefined;
    if (latest) this.track(conversationId, page.items.at(-1)?.seq ?? 0);
    return page;
  }

  /**
   * Sends `body` to a conversation (its id) or to a user (`{ to: userId }`), retrying with the
   * same clientMsgId through timeouts, `UNAVAILABLE`, `RATE_LIMITED` and reconnects, until the
   * server acks. Resolves with the stored message; rejects on a refusal (e.g. `VALIDATION_FAILED`,
   * `NOT_FOUND`) or when `signal` aborts.
   *
   * Sends go out one at a time, in the order of the calls: the user's messages are stored in the
   * order they were written, and a client that was offline resends its backlog without flooding
   * the server with retries.
   */
  send(target: string | SendTarget, body: string, options: SendOptions = {}): Promise<Message> {
    const to: SendTarget = typeof target === 'string' ? { conversationId: target } : target;
    if (to.conversationId !== undefined) this.typingOut.stop(to.conversationId);
    const payload: SendMessagePayload = {
      ...to,
      body,
      clientMsgId: options.clientMsgId ?? newClientMsgId(),
      ...(options.replyToId === undefined ? {} : { replyToId: options.replyToId }),
      ...(options.attachments?.length ? { attachments: options.attachments } : {}),
    };
    const sent = this.outbox.then(async () => {
      if (options.signal?.aborted) throw abortReason(options.signal);
      const { message } = await this.call('message:send', payload, options.signal);
      this.receive(message);
      return message;
    });
    this.outbox = sent.then(
      () => undefined,
      () => undefined,
    );
    return sent;
  }

  /**
   * Uploads a file, retrying under one Idempotency-Key until the server answers (a retry after a
   * lost answer or a failure half-way stores it once); a refusal (too large, over quota) is final.
   * Resolves with the stored file, whose id `send()` takes in `attachments`.
   */
  async upload(file: Blob, options: UploadOptions = {}): Promise<FileInfo> {
    const key = options.idempotencyKey ?? newClientMsgId();
    const name = options.name ?? (file as Blob & { name?: string }).name ?? 'file';
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.api.uploadFile(file, name, key, options.onProgress, options.signal);
      } catch (error) {
        const failure =
          error instanceof ChatError ? error : new ChatError('UNAVAILABLE', String(error));
        // CONFLICT: an earlier try under this key is still under way; it settles soon.
        const again = failure.retryable || failure.code === 'CONFLICT';
        if (!again || options.signal?.aborted) throw failure;
        await sleep(backoffDelay(attempt, this.retryBaseMs, this.retryMaxMs), options.signal);
      }
    }
  }

  /** Sends `body` as a reply to `message` (it carries a quote of it), like `send()`. */
  reply(message: Message, body: string, options: SendOptions = {}): Promise<Message> {
    return this.send(message.conversationId, body, { ...options, replyToId: message.id });
  }

  /**
   * Sets (`on`, the default) or unsets the user's `emoji` on a message; resolves with the message
   * and its counts. Retried like an edit: setting what is set changes nothing.
   */
  async react(messageId: string, emoji: string, on = true): Promise<Message> {
    return (await this.call('reaction', { messageId, emoji, on })).message;
  }

  /**
   * Pins (`on`, the default) or unpins a message in its conversation; members (this client too)
   * hear it as `conversationChanged` with kind `pin`.
   */
  pin(messageId: string, on = true): Promise<void> {
    return this.api.pin(messageId, on);
  }

  /** Edits one's own message (retried like a send: an edit is idempotent). */
  async edit(messageId: string, body: string): Promise<Message> {
    return (await this.call('message:edit', { messageId, body })).message;
  }

  /** Deletes one's own message (retried: deleting again changes nothing). */
  async delete(messageId: string): Promise<Message> {
    return (await this.call('message:delete', { messageId })).message;
  }

  /** Moves the user's read pointer up to `seq`; lower or repeated seqs send nothing. */
  async markRead(conversationId: string, seq: number): Promise<void> {
    if (seq <= (this.readSent.get(conversationId) ?? 0)) return;
    this.readSent.set(conversationId, seq);
    await this.call('read', { conversationId, seq });
  }

  /** Call on every keystroke in `conversationId`: indicators go out throttled. */
  typing(conversationId: string): void {
    this.typingOut.keystroke(conversationId);
  }

  /** The user stopped typing (cleared the box, left). `send()` does this by itself. */
  stopTyping(conversationId: string): void {
    this.typingOut.stop(conversationId);
  }

  /** Who else is typing in `conversationId` now. */
  typingUsers(conversationId: string): string[] {
    return this.typists.who(conversationId);
  }

  /** The last presence heard of `userId` (users sharing a conversation with this one). */
  presenceOf(userId: string): PresenceEvent | undefined {
    return this.presenceByUser.get(userId);
  }

  /**
   * Members whose read pointer reached `seq` (the user included, once they read it elsewhere):
   * from the conversation list (`reads`), then as heard live.
   */
  readBy(conversationId: string, seq: number): string[] {
    return reached(this.readers, conversationId, seq);
  }

  /** Members whose clients hold every message up to `seq`, as `readBy`. */
  deliveredTo(conversationId: string, seq: number): string[] {
    return reached(this.holders, conversationId, seq);
  }

  /** Takes the members' pointers from a conversation's `reads` (the list, `conversation:new`). */
  private rememberReads({ id, reads }: Conversation): void {
    for (const read of reads) {
      raise(this.readers, id, read.userId, read.seq);
      raise(this.holders, id, read.userId, read.deliveredSeq);
    }
  }

  private listen(): void {
    const socket = this.socket;
    socket.on('connect', () => {
      this.connection += 1;
      this.reconnectAttempt = 0;
      this.refreshedThisAttempt = false;
      this.setState('online');
      this.resyncAll();
    });
    socket.on('disconnect', (reason) => {
      this.typingOut.clear();
      this.typists.clear();
      if (!this.wanted) return;
      this.setState('connecting');
      // The server closed it (e.g. draining for a restart): socket.io leaves that to us.
      if (reason === 'io server disconnect') this.reconnectLater();
    });
    socket.on('connect_error', (error) => void this.connectFailed(error));
    // The disconnect follows; the reconnect then uses the renewed token, or finds none.
    socket.on('session:expired', ({ reason }) => {
      if (reason === 'expired') void this.keeper.refresh().catch(() => undefined);
      else this.keeper.ended();
    });
    socket.on('message:new', (message) => this.receive(message));
    const messageChanged = (message: Message) =>
      this.changed(message.conversationId, message.rev, () => this.emit('messageChanged', message));
    socket.on('message:updated', messageChanged);
    socket.on('message:deleted', messageChanged);
    socket.on('conversation:updated', (event) =>
      this.changed(event.conversationId, event.rev, () => this.emit('conversationChanged', event)),
    );
    socket.on('conversation:removed', ({ conversationId }) => this.removed(conversationId));
    socket.on('read', (event) => {
      raise(this.readers, event.conversationId, event.userId, event.seq);
      this.emit('read', event);
    });
    socket.on('delivered', (event) => {
      raise(this.holders, event.conversationId, event.userId, event.seq);
      this.emit('delivered', event);
    });
    socket.on('typing', ({ conversationId, userId, typing }) =>
      this.typists.set(conversationId, userId, typing),
    );
    socket.on('presence', (event) => {
      this.presenceByUser.set(event.userId, event);
      this.emit('presence', event);
    });
    socket.on('conversation:new', (conversation) => {
      this.rememberReads(conversation);
      if (!this.feeds.has(conversation.id))
        this.track(conversation.id, conversation.lastSeq, conversation.lastRev);
      this.emit('conversation', conversation);
    });
    socket.on('exception', (failure) => {
      if (!failure.ok)
        this.emit(
          'error',
          new ChatError(failure.error.code, `${failure.event}: ${failure.error.message}`),
        );
    });
  }

  private async connectFailed(error: Error): Promise<void> {
    if (!this.wanted) return;
    if (error.message === 'UNAUTHORIZED') {
      let fresh: string | null;
      try {
        fresh = this.refreshedThisAttempt ? null : await this.keeper.refresh();
      } catch {
        // Offline while renewing: try again later, the session may still be good.
        this.reconnectLater();
        return;
      }
      this.refreshedThisAttempt = true;
      if (!fresh) {
        this.wanted = false;
        this.setState('signed-out');
        return;
      }
      if (this.wanted) this.socket.connect();
      return;
    }
    // Refused by the server (UNAVAILABLE, RATE_LIMITED): socket.io only retries transport errors.
    if (!this.socket.active) this.reconnectLater();
  }

  private reconnectLater(): void {
    const delay = backoffDelay(this.reconnectAttempt++, this.retryBaseMs * 4, this.retryMaxMs);
    setTimeout(() => {
      if (this.wanted && !this.socket.connected && !this.socket.active) this.socket.connect();
    }, delay);
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emit('state', state);
  }

  /** Resolves once connected; rejects if the client is stopped or `signal` aborts first. */
  private online(signal?: AbortSignal): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    if (!this.wanted)
      return Promise.reject(new ChatError('UNAVAILABLE', 'Not connected: call connect()'));
    return new Promise((resolve, reject) => {
      const done = (error?: Error): void => {
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onAbort = (): void => done(abortReason(signal));
      const unsubscribe = this.on('state', (state) => {
        if (state === 'online') done();
        else if (state !== 'connecting') done(new ChatError('UNAVAILABLE', `Client is ${state}`));
      });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Emits `event` until it is acked; retries what may succeed later (see ChatError.retryable). */
  private async call<E extends AckedEvent>(
    event: E,
    payload: PayloadOf<E>,
    signal?: AbortSignal,
  ): Promise<ResultOf<E>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.ask(event, payload, this.ackTimeoutMs, signal);
      } catch (error) {
        if (!(error instanceof ChatError) || !error.retryable) throw error;
      }
      await sleep(backoffDelay(attempt, this.retryBaseMs, this.retryMaxMs), signal);
    }
  }

  /** Emits `event` once, when connected: its result, or a ChatError (UNAVAILABLE on no answer). */
  private async ask<E extends AckedEvent>(
    event: E,
    payload: PayloadOf<E>,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<ResultOf<E>> {
    await this.online(signal);
    let reply: ReplyOf<E>;
    try {
      reply = await (this.socket.timeout(timeoutMs) as unknown as AckingSocket).emitWithAck(
        event,
        payload,
      );
    } catch {
      throw new ChatError('UNAVAILABLE', `No answer to ${event} within ${timeoutMs} ms`);
    }
    if (reply.ok) return reply as ResultOf<E>;
    throw new ChatError(reply.error.code, reply.error.message);
  }

  /** One catch-up page: paced with the other conversations' (ReadPacer), asked once. */
  private read<E extends 'sync' | 'changes'>(
    event: E,
    payload: PayloadOf<E>,
  ): Promise<ResultOf<E>> {
    return this.reads.run(() => this.ask(event, payload, this.readTimeoutMs));
  }

  /** A message heard live (or acked to a send): delivered in order, once; a gap is synced. */
  private receive(message: Message): void {
    let feed = this.feeds.get(message.conversationId);
    if (!feed)
      this.feeds.set(message.conversationId, (feed = new ConversationFeed(message.seq - 1)));
    this.deliver(feed.offer(message));
    if (feed.hasGap) void this.resync(message.conversationId);
    // Still busy: its tail waits (each live message bounds what is missing before it).
    if (feed.tailDue) this.tailWhenQuiet(message.conversationId);
  }

  /** A change heard live: applied once, in rev order; one heard ahead of a gap is caught up. */
  private changed(conversationId: string, rev: number, apply: () => void): void {
    const feed = this.feeds.get(conversationId);
    if (!feed) return apply(); // not tracked: the app holds no state of it to keep in order
    const verdict = feed.offerRev(rev);
    if (verdict === 'apply') apply();
    else if (verdict === 'gap') void this.changeCatchUps.run(conversationId);
  }

  private removed(conversationId: string): void {
    if (!this.feeds.has(conversationId) && !this.readers.has(conversationId)) return;
    this.untrack(conversationId);
    this.readers.delete(conversationId);
    this.holders.delete(conversationId);
    this.emit('removed', conversationId);
  }

  /**
   * A change read from the feed, if it is new: to the app, as the live event would have been (a
   * pin carries the conversation and its message both: it is a conversation change).
   */
  private applyChange(conversationId: string, feed: ConversationFeed, change: Change): void {
    if (!feed.takeRev(change.rev)) return;
    if (change.conversation)
      this.emit('conversationChanged', {
        ...change,
        conversationId,
        conversation: change.conversation,
      });
    else if (change.message) this.emit('messageChanged', change.message);
  }

  private deliver(messages: readonly Message[]): void {
    for (const message of messages) {
      this.typists.set(message.conversationId, message.senderId, false);
      this.emit('message', message);
      this.deliveredSoon(message.conversationId);
    }
  }

  /** Tells the server, shortly and once for a burst, that the app holds the conversation so far. */
  private deliveredSoon(conversationId: string): void {
    if (this.deliveredDue.has(conversationId)) return;
    const timer = setTimeout(() => {
      this.deliveredDue.delete(conversationId);
      const seq = this.feeds.get(conversationId)?.lastSeq ?? 0;
      if (!this.socket.connected || seq <= (this.deliveredSent.get(conversationId) ?? 0)) return;
      this.deliveredSent.set(conversationId, seq);
      // Best effort, like typing: a lost one is made good by the next message delivered.
      this.socket.emit('delivered', { conversationId, seq });
    }, DELIVERED_EVERY_MS);
    this.deliveredDue.set(conversationId, timer);
  }

  /** After a connect: every conversation owes a tail read, and gaps are read as they show. */
  private resyncAll(): void {
    for (const [conversationId, feed] of this.feeds) {
      feed.tailDue = true;
      feed.changesDue = true;
      if (feed.hasGap) void this.resync(conversationId);
      this.tailWhenQuiet(conversationId);
    }
  }

  /** Reads the conversation's tail once no live message has come for TAIL_QUIET_MS. */
  private tailWhenQuiet(conversationId: string): void {
    clearTimeout(this.quietTimers.get(conversationId));
    const timer = setTimeout(() => {
      this.quietTimers.delete(conversationId);
      void this.resync(conversationId);
    }, TAIL_QUIET_MS);
    this.quietTimers.set(conversationId, timer);
  }

  /** Catches `conversationId` up; never rejects (failures go to `error`). */
  private resync(conversationId: string): Promise<void> {
    return this.catchUps.run(conversationId);
  }

  /**
   * By seq (new messages), then by rev (changes): what was missed, each once and in order. Each
   * page asks only for what the client lacks: every gap below the messages held, and (once the
   * conversation is quiet) the tail, leaving out what it holds. Progress lives in the feed, so a
   * catch-up cut short by a disconnect goes on from where it stood after the next connect.
   */
  private async catchUp(conversationId: string): Promise<void> {
    const synced = await this.pageThrough(conversationId, async (feed) => {
      const tail = feed.tailDue && !this.quietTimers.has(conversationId);
      const range = feed.missing(tail, SYNC_EXCEPT_RUNS);
      if (!range) return false;
      const { afterSeq, beforeSeq, except } = range;
      const connection = this.connection;
      const page = await this.read('sync', {
        conversationId,
        afterSeq,
        ...(beforeSeq !== undefined && { beforeSeq }),
        ...(except.length > 0 && { except }),
        limit: SYNC_PAGE,
      });
      // The server answered for every seq up to its last item, or the whole range if complete.
      const last = page.items.at(-1)?.seq ?? afterSeq;
      const knownUpTo = page.hasMore || beforeSeq === undefined ? last : beforeSeq - 1;
      this.deliver(feed.fillMissing(page.items, knownUpTo));
      if (tail && !page.hasMore && connection === this.connection) feed.tailDue = false;
      return true;
    });
    // Changes once the messages they touch are held. Live, a change heard ahead of a gap starts
    // its own catch-up (changed), so a busy conversation's changes do not wait for its tail.
    const feed = this.feeds.get(conversationId);
    if (synced && feed?.changesDue && !feed.tailDue) await this.changeCatchUps.run(conversationId);
  }

  /** By rev: every change missed, each once and in order. */
  private async catchUpChanges(conversationId: string): Promise<void> {
    await this.pageThrough(conversationId, async (feed) => {
      const connection = this.connection;
      const page = await this.read('changes', {
        conversationId,
        afterRev: feed.lastRev ?? 0,
        limit: SYNC_PAGE,
      });
      for (const change of page.items) this.applyChange(conversationId, feed, change);
      if (page.items.length === 0) feed.lastRev ??= page.lastRev;
      if (!page.hasMore && connection === this.connection) feed.changesDue = false;
      return page.hasMore;
    });
  }

  /**
   * Runs `step` (one page; true: there is more) until done, retrying what may succeed later.
   * False when it stopped short: offline, no longer tracked, no longer a member, or failed.
   */
  private async pageThrough(
    conversationId: string,
    step: (feed: ConversationFeed) => Promise<boolean>,
  ): Promise<boolean> {
    for (let attempt = 0; this.socket.connected;) {
      const feed = this.feeds.get(conversationId);
      if (!feed) return false;
      try {
        if (!(await step(feed))) return true;
        attempt = 0;
      } catch (error) {
        const failure =
          error instanceof ChatError ? error : new ChatError('INTERNAL', String(error));
        if (failure.code === 'NOT_FOUND') {
          this.removed(conversationId); // no longer a member
          return false;
        }
        if (!this.wanted) return false;
        if (failure.retryable) {
          await sleep(backoffDelay(attempt++, this.retryBaseMs, this.retryMaxMs));
          continue;
        }
        this.emit('error', failure);
        return false;
      }
    }
    return false;
  }
}

/** Raises a member's pointer in a conversation (pointers only move forward). */
function raise(
  pointers: Map<string, Map<string, number>>,
  conversationId: string,
  userId: string,
  seq: number,
): void {
  let members = pointers.get(conversationId);
  if (!members) pointers.set(conversationId, (members = new Map<string, number>()));
  members.set(userId, Math.max(seq, members.get(userId) ?? 0));
}

/** The members whose pointer in the conversation reached `seq`. */
function reached(
  pointers: Map<string, Map<string, number>>,
  conversationId: string,
  seq: number,
): string[] {
  const members = pointers.get(conversationId) ?? new Map<string, number>();
  return [...members].filter(([, pointer]) => pointer >= seq).map(([userId]) => userId);
}
