/**
 * The wire contract (REST bodies and results, socket.io events and acks) as types: the single
 * source for the server, which checks its DTOs and its socket.io namespace against it, and for
 * the client library (`client/`), which is typed by it. Declarations only, so that either side
 * can include it without compiling the other.
 *
 * `Time` is an ISO-8601 UTC string on the wire, and a `Date` inside the server before JSON.
 */

export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/** Every REST error body. */
export interface ErrorBody {
  statusCode: number;
  error: ErrorCode;
  message: string;
  /** With RATE_LIMITED: milliseconds to wait before trying again. */
  retryAfter?: number;
}

/** Every socket ack: `{ ok: true, ...result }` or `{ ok: false, error }`. */
export type Ack<T extends object = object> =
  | ({ ok: true } & T)
  | { ok: false; error: { code: ErrorCode; message: string; retryAfter?: number } };

// ---- records ----------------------------------------------------------------------------------

export interface User<Time = string> {
  id: string;
  username: string;
  displayName: string;
  /** Instance-wide: `admin` is granted only from the server's command line. */
  role: 'user' | 'admin';
  /** An app's bot user. */
  bot: boolean;
  createdAt: Time;
}

export interface AuthResult<Time = string> {
  user: User<Time>;
  /** `Authorization: Bearer <accessToken>` over REST, `auth.token` on the socket handshake. */
  accessToken: string;
  /** Spent by `POST /api/auth/refresh` for the next pair; keep it secret, like a password. */
  refreshToken: string;
  /** The access token's lifetime in seconds (refresh before it runs out). */
  expiresIn: number;
}

/** One signed-in device (`GET /api/auth/sessions`). */
export interface SessionInfo<Time = string> {
  id: string;
  createdAt: Time;
  /** The sign-in or the latest refresh. */
  lastUsedAt: Time;
  /** When it ends unless refreshed before. */
  expiresAt: Time;
  userAgent: string;
  /** The session of the token that asked. */
  current: boolean;
}

/** `session:expired`: the socket is disconnected right after it. */
export interface SessionExpiredEvent {
  /** `expired`: the access token ran out; otherwise the session ended (sign in again). */
  reason: 'expired' | 'logout' | 'revoked' | 'reuse' | 'account-deleted';
}

export interface RefreshBody {
  refreshToken: string;
}

export interface AuthRefreshPayload {
  accessToken: string;
}

export interface Message<Time = string> {
  id: string;
  conversationId: string;
  /** Strictly increasing within the conversation, from 1, without gaps. */
  seq: number;
  senderId: string;
  /** Set in direct conversations: the other member. */
  receiverId: string | null;
  /** `""` once deleted. */
  body: string;
  clientMsgId: string | null;
  createdAt: Time;
  editedAt: Time | null;
  deletedAt: Time | null;
  /** The rev of the message's latest change (edit, delete, reaction), 0 if none. */
  rev: number;
  /** The message this one replies to, as it was when the reply was sent; null if none. */
  replyTo: ReplyQuote | null;
  /** Members named as `@username` in the body, when it was sent. */
  mentions: string[];
  /** Each distinct emoji once, in the order first used. */
  reactions: ReactionSummary[];
  /** Files sent with it (at most 10), as they were when sent; `[]` once it is deleted. */
  attachments: FileInfo<Time>[];
}

/**
 * An uploaded file (`POST /api/files`); messages carry them as `attachments`. Its bytes are at
 * `GET /api/files/:id`, an image's thumbnail at `GET /api/files/:id/thumbnail`.
 */
export interface FileInfo<Time = string> {
  id: string;
  /** The name the client gave (up to 255 characters). */
  name: string;
  /** Sniffed from the bytes, never taken from the client. */
  contentType: string;
  size: number;
  /** Hex SHA-256 of the bytes (also the download's ETag). */
  sha256: string;
  /** An image's size in pixels (as shown); absent for other files. */
  width?: number;
  height?: number;
  createdAt: Time;
  uploaderId: string;
}

/** A reply's quote of the message it answers, taken when the reply was sent. */
export interface ReplyQuote {
  id: string;
  seq: number;
  senderId: string;
  /** Up to 200 characters of its body; `""` if it was deleted. */
  excerpt: string;
}

/** One emoji on a message: how many set it, and the first ten of them. */
export interface ReactionSummary {
  emoji: string;
  count: number;
  /** The first 10 who set it, earliest first. */
  userIds: string[];
}

/** Messages ascending by seq; `hasMore` says whether the next page in that direction has any. */
export interface MessagePage<Time = string> {
  items: Message<Time>[];
  hasMore: boolean;
}

export type ConversationType = 'direct' | 'group';

/** A conversation as one member sees it: the last three fields are that member's own. */
export interface Conversation<Time = string> {
  id: string;
  type: ConversationType;
  /** null for direct conversations. */
  title: string | null;
  memberIds: string[];
  createdAt: Time;
  /**
   * When its latest message was sent (its creation, before any): the conversation list's order,
   * and what to pass as `before` for the list's next page.
   */
  lastActivityAt: Time;
  /** The seq of the latest message, 0 when there is none. */
  lastSeq: number;
  lastMessage: Message<Time> | null;
  lastReadSeq: number;
  /** Messages from others after the read pointer. */
  unreadCount: number;
  /** The rev of the conversation's latest change, 0 when there is none. */
  lastRev: number;
  /** Every member's read and delivered pointers. */
  reads: ReadReceipt<Time>[];
  /** Unread messages (as counted by `unreadCount`) that mention the asking user. */
  mentionCount: number;
  /** Pinned messages, oldest pin first; at most 50. */
  pinnedMessageIds: string[];
  /** The members with their roles, in the order they joined (the same users as `memberIds`). */
  members: Member<Time>[];
}

/** In a group: the owner (one), admins, members; in a direct conversation both are members. */
export type MemberRole = 'owner' | 'admin' | 'member';

export interface Member<Time = string> {
  userId: string;
  role: MemberRole;
  joinedAt: Time;
}

/** A member's pointers: read up to `seq` (at `at`), and holding every message up to `deliveredSeq`. */
export interface ReadReceipt<Time = string> {
  userId: string;
  /** 0 if never read. */
  seq: number;
  /** When the read pointer last moved; null if never read. */
  at: Time | null;
  /** 0 if the member's clients never said they hold any. */
  deliveredSeq: number;
}

/** What every member shares of a conversation: carried by its changes (no per-member fields). */
export interface ConversationState<Time = string> {
  id: string;
  type: ConversationType;
  title: string | null;
  memberIds: string[];
  createdAt: Time;
  lastRev: number;
  pinnedMessageIds: string[];
  members: Member<Time>[];
}

export type ChangeKind =
  | 'message:updated'
  | 'message:deleted'
  | 'reaction'
  | 'pin'
  | 'member:joined'
  | 'member:left'
  | 'member:role'
  | 'conversation:updated';

/**
 * One change of a conversation, in rev order. It carries what it changed: `message` for message
 * kinds (edits, deletes, reactions), as the change left it (so applied in rev order, the last is
 * history's); `conversation`, the shared state as it is now, for the others (and `userId`, the
 * member who joined, left or got a new role: see `conversation.members`). A `pin` carries both: the conversation with its pinnedMessageIds,
 * and the message pinned or unpinned as it was then (its `rev` is its own, not the pin's).
 */
export interface Change<Time = string> {
  rev: number;
  kind: ChangeKind;
  at: Time;
  /** Who made the change (for `member:left`, the member themselves when they left). */
  actorId: string;
  message?: Message<Time>;
  conversation?: ConversationState<Time>;
  userId?: string;
}

/** Changes ascending by rev; `lastRev` is the conversation's latest rev when the page was read. */
export interface ChangesPage<Time = string> {
  items: Change<Time>[];
  hasMore: boolean;
  lastRev: number;
}

/** `conversation:updated`: a member joined or left, the title or the pins changed (live). */
export interface ConversationChangedEvent<Time = string> extends Change<Time> {
  conversationId: string;
  conversation: ConversationState<Time>;
}

/** `conversation:removed`: the receiving user is no longer a member; nothing more of it follows. */
export interface ConversationRemovedEvent {
  conversationId: string;
  rev: number;
}

// ---- REST bodies and queries ------------------------------------------------------------------

/** `POST /api/auth/register`. */
export interface RegisterBody {
  username: string;
  password: string;
  displayName?: string;
}

/** `POST /api/auth/login`. */
export interface LoginBody {
  username: string;
  password: string;
}

/** `GET /api/users?q=`. */
export interface SearchUsersQuery {
  q?: string;
}

/** `POST /api/conversations/direct` and `POST /api/conversations/:id/members`. */
export interface UserIdBody {
  userId: string;
}

/** `POST /api/conversations`. */
export interface CreateGroupBody {
  title: string;
  memberIds: string[];
}

/** `GET /api/conversations`: `before` is an ISO time (conversations active before it). */
export interface ListConversationsQuery {
  limit?: number;
  before?: string;
}

/** `PATCH /api/conversations/:id`. */
export interface RenameBody {
  title: string;
}

/** `DELETE /api/users/me`: the password, asked again. */
export interface DeleteAccountBody {
  password: string;
}

/** One line of `GET /api/users/me/export` (NDJSON): the profile, then conversations, then messages. */
export type ExportLine<Time = string> =
  | { type: 'user'; user: User<Time> }
  | { type: 'conversation'; conversation: Conversation<Time> }
  | { type: 'message'; message: Message<Time> };

/** `PATCH /api/conversations/:id/members/:userId` (the owner only); `owner` hands ownership over. */
export interface SetRoleBody {
  role: MemberRole;
}

/** `GET /api/conversations/:id/changes`. */
export interface ChangesQuery {
  /** The highest rev the client holds, 0 for none. */
  afterRev: number;
  limit?: number;
}

/** `GET /api/conversations/:id/messages`. */
export interface HistoryQuery {
  limit?: number;
  beforeSeq?: number;
  afterSeq?: number;
}

/** `PATCH /api/messages/:id`. */
export interface MessageBody {
  body: string;
}

/** `POST /api/conversations/:id/messages`. */
export interface PostMessageBody extends MessageBody {
  /** Up to 64 characters, unique per sender: resending it returns the stored message. */
  clientMsgId?: string;
  /** A message of the same conversation that this one answers. */
  replyToId?: string;
  /** Ids of files the sender uploaded (at most 10); with any, the body may be empty. */
  attachments?: string[];
}

/** `POST /api/conversations/:id/read`. */
export interface MarkReadBody {
  seq: number;
}

// ---- apps, keys and webhooks (v3) -------------------------------------------------------------

export type AppScope = 'users:write' | 'conversations:write' | 'messages:write' | 'events:read';

export type WebhookEventType =
  | 'message.created'
  | 'message.updated'
  | 'message.deleted'
  | 'reaction'
  | 'pin'
  | 'member.joined'
  | 'member.left'
  | 'member.role'
  | 'conversation.created'
  | 'conversation.updated';

/** An app's endpoint as shown (never its secret). */
export interface WebhookEndpoint {
  url: string;
  events: WebhookEventType[];
  /** `member`: the bot's conversations; `all`: every conversation. */
  scope: 'member' | 'all';
  status: 'active' | 'disabled';
  disabledReason?: string;
}

/** One API key as shown: its id and scopes, never the key. */
export interface AppKey<Time = string> {
  id: string;
  scopes: AppScope[];
  createdAt: Time;
}

export interface App<Time = string> {
  id: string;
  name: string;
  /** The app's bot user: what its keys act as. */
  botUserId: string;
  scopes: AppScope[];
  createdAt: Time;
  webhook?: WebhookEndpoint;
  keys: AppKey<Time>[];
}

/** `POST /api/apps` and `PATCH /api/apps/:id`: the key and secret are shown this once. */
export interface CreatedApp<Time = string> {
  app: App<Time>;
  /** `chk_…`, when the app was created. */
  key?: string;
  /** `whsec_…`, when an endpoint was set where there was none. */
  webhookSecret?: string;
}

/** `POST /api/apps/:id/keys`. */
export interface CreatedKey<Time = string> extends AppKey<Time> {
  key: string;
}

/** One delivery attempt (`GET /api/apps/:id/deliveries`). */
export interface WebhookDelivery<Time = string> {
  eventId: string;
  type: WebhookEventType;
  conversationId: string;
  attempt: number;
  status: number | null;
  latencyMs: number;
  error: string | null;
  at: Time;
}

/**
 * What a webhook posts: the change-feed item (or, for `message.created`, the message), read as
 * it is when sent. Headers: `webhook-id`, `webhook-timestamp`, `webhook-signature`.
 */
export interface WebhookEvent<Time = string> {
  type: WebhookEventType;
  conversationId: string;
  seq?: number;
  rev?: number;
  at: Time;
  actorId: string;
  message?: Message<Time>;
  conversation?: ConversationState<Time>;
  userId?: string;
}

export interface WebhookSettingsBody {
  url: string;
  events?: WebhookEventType[];
  scope?: 'member' | 'all';
}

export interface CreateAppBody {
  name: string;
  scopes?: AppScope[];
  webhook?: WebhookSettingsBody;
}

export interface UpdateAppBody {
  name?: string;
  scopes?: AppScope[];
  /** `null` removes the endpoint; `{ status: "active" }` re-enables a disabled one. */
  webhook?: (Partial<WebhookSettingsBody> & { status?: 'active' }) | null;
}

/** `PUT /api/apps/users/:externalId`. */
export interface ProvisionUserBody {
  username: string;
  displayName?: string;
}

/** `POST /api/apps/conversations`: `direct` with two users, or a group owned by the first. */
export interface AppConversationBody {
  type: 'direct' | 'group';
  memberIds: string[];
  title?: string;
}

// ---- socket.io `/chat` ------------------------------------------------------------------------

/** Where a socket send goes: a conversation, or the direct conversation with a user. */
export type SendTarget =
  { conversationId: string; to?: never } | { to: string; conversationId?: never };

export type SendMessagePayload = PostMessageBody & SendTarget;

export interface EditMessagePayload extends MessageBody {
  messageId: string;
}

export interface DeleteMessagePayload {
  messageId: string;
}

/**
 * Socket `reaction`: sets (`on`) or unsets one emoji of the user's on a message. `emoji` is one
 * emoji grapheme or a `:short_name:` of 1–32 `[a-z0-9_+-]`.
 */
export interface ReactionPayload {
  messageId: string;
  emoji: string;
  on: boolean;
}

export interface ReadPayload extends MarkReadBody {
  conversationId: string;
}

export interface SyncPayload {
  conversationId: string;
  /** The highest seq the client holds, 0 for none. */
  afterSeq: number;
  /** Only messages below this seq (the client holds it, heard live: it asks for the gap alone). */
  beforeSeq?: number;
  /**
   * Seq ranges `[from, to]` (inclusive, at most 20) the client holds already: left out, so one
   * sync fetches every gap between the runs it heard live, and nothing twice.
   */
  except?: [number, number][];
  limit?: number;
}

/** Socket `delivered`: the client holds every message of the conversation up to `seq`. */
export interface DeliveredPayload {
  conversationId: string;
  seq: number;
}

export interface ChangesPayload extends ChangesQuery {
  conversationId: string;
}

export interface TypingPayload {
  conversationId: string;
  typing: boolean;
}

export interface SendResult<Time = string> {
  message: Message<Time>;
  /** True when this clientMsgId was already stored: nothing was stored or emitted again. */
  duplicate: boolean;
}

export interface ReadEvent {
  conversationId: string;
  userId: string;
  seq: number;
}

export interface DeliveredEvent {
  conversationId: string;
  userId: string;
  seq: number;
}

export interface TypingEvent {
  conversationId: string;
  userId: string;
  typing: boolean;
}

export interface PresenceEvent<Time = string> {
  userId: string;
  online: boolean;
  lastSeenAt: Time | null;
}

export type Reply<T extends object = object> = (reply: Ack<T>) => void;

/** Client → server events, each answered through its ack callback. */
export interface ClientToServerEvents<Time = string> {
  'message:send': (payload: SendMessagePayload, ack: Reply<SendResult<Time>>) => void;
  'message:edit': (payload: EditMessagePayload, ack: Reply<{ message: Message<Time> }>) => void;
  'message:delete': (payload: DeleteMessagePayload, ack: Reply<{ message: Message<Time> }>) => void;
  reaction: (payload: ReactionPayload, ack: Reply<{ message: Message<Time> }>) => void;
  read: (payload: ReadPayload, ack: Reply) => void;
  delivered: (payload: DeliveredPayload, ack?: Reply) => void;
  sync: (payload: SyncPayload, ack: Reply<MessagePage<Time>>) => void;
  changes: (payload: ChangesPayload, ack: Reply<ChangesPage<Time>>) => void;
  typing: (payload: TypingPayload, ack?: Reply) => void;
  /** A fresh access token of the same user, before the socket's runs out; ack `{ expiresIn }`. */
  'auth:refresh': (payload: AuthRefreshPayload, ack: Reply<{ expiresIn: number }>) => void;
}

/** Server → client events. */
export interface ServerToClientEvents<Time = string> {
  'message:new': (message: Message<Time>) => void;
  /** An edit, or the message's reactions changed. */
  'message:updated': (message: Message<Time>) => void;
  'message:deleted': (message: Message<Time>) => void;
  read: (event: ReadEvent) => void;
  delivered: (event: DeliveredEvent) => void;
  typing: (event: TypingEvent) => void;
  presence: (event: PresenceEvent<Time>) => void;
  'conversation:new': (conversation: Conversation<Time>) => void;
  'conversation:updated': (event: ConversationChangedEvent<Time>) => void;
  'conversation:removed': (event: ConversationRemovedEvent) => void;
  /** The socket's access token ran out (unless renewed by `auth:refresh`) or its session ended. */
  'session:expired': (event: SessionExpiredEvent) => void;
  /** The failure of an event emitted without an ack callback. */
  exception: (error: { event: string } & Ack) => void;
}
