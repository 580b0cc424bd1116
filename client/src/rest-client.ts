import type {
  AuthResult,
  ChangesPage,
  ChangesQuery,
  Conversation,
  CreateGroupBody,
  ErrorBody,
  FileInfo,
  ExportLine,
  HistoryQuery,
  ListConversationsQuery,
  LoginBody,
  MemberRole,
  Message,
  MessagePage,
  PostMessageBody,
  ReadReceipt,
  RegisterBody,
  SessionInfo,
  User,
} from '@nest-chat/protocol';
import { ChatError } from './chat-error.js';
import { postForm, type TransferResult, type UploadProgress } from './file-transfer.js';

export interface RestClientOptions {
  /** The server's origin, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** The current access token, or null when signed out. */
  getToken: () => string | null;
  /**
   * Called once when the server refuses the token (401 on an authenticated route): resolve to a
   * fresh token to retry the request with it, or to null to fail with `UNAUTHORIZED`.
   */
  refreshToken?: () => Promise<string | null>;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | undefined>;

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Query;
  body?: object;
  /** Sent without a token, and a 401 is an answer (wrong password), not an expired token. */
  anonymous?: boolean;
  /** False when a 401 means "already done" rather than "renew the token and retry" (logout). */
  retryOn401?: boolean;
  /** The answer is text (NDJSON), not JSON. */
  text?: boolean;
}

/** The REST half of the contract, one typed method per route. Failures throw `ChatError`. */
export class RestClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: RestClientOptions) {
    // Bound: browsers refuse fetch called as a method of another object.
    this.fetch = options.fetch ?? fetch.bind(globalThis);
  }

  register(body: RegisterBody): Promise<AuthResult> {
    return this.request({ method: 'POST', path: '/api/auth/register', body, anonymous: true });
  }

  login(body: LoginBody): Promise<AuthResult> {
    return this.request({ method: 'POST', path: '/api/auth/login', body, anonymous: true });
  }

  me(): Promise<User> {
    return this.request({ method: 'GET', path: '/api/users/me' });
  }

  user(userId: string): Promise<User> {
    return this.request({ method: 'GET', path: `/api/users/${encodeURIComponent(userId)}` });
  }

  /** Up to 20 users whose username starts with `prefix`. */
  searchUsers(prefix: string): Promise<User[]> {
    return this.request({ method: 'GET', path: '/api/users', query: { q: prefix } });
  }

  /** The user's conversations, latest activity first. */
  conversations(query: ListConversationsQuery = {}): Promise<Conversation[]> {
    return this.request({ method: 'GET', path: '/api/conversations', query: { ...query } });
  }

  conversation(conversationId: string): Promise<Conversation> {
    return this.request({ method: 'GET', path: conversationPath(conversationId) });
  }

  /** The direct conversation with `userId`, created on first call. */
  openDirect(userId: string): Promise<Conversation> {
    return this.request({ method: 'POST', path: '/api/conversations/direct', body: { userId } });
  }

  createGroup(body: CreateGroupBody): Promise<Conversation> {
    return this.request({ method: 'POST', path: '/api/conversations', body });
  }

  addMember(conversationId: string, userId: string): Promise<void> {
    const path = `${conversationPath(conversationId)}/members`;
    return this.request({ method: 'POST', path, body: { userId } });
  }

  /** Leaves (oneself; the owner after handing ownership over) or removes a member (admins, owner). */
  removeMember(conversationId: string, userId: string): Promise<void> {
    const path = `${conversationPath(conversationId)}/members/${encodeURIComponent(userId)}`;
    return this.request({ method: 'DELETE', path });
  }

  /** The owner gives a member a role; `owner` hands ownership over (the owner becomes an admin). */
  setRole(conversationId: string, userId: string, role: MemberRole): Promise<Conversation> {
    const path = `${conversationPath(conversationId)}/members/${encodeURIComponent(userId)}`;
    return this.request({ method: 'PATCH', path, body: { role } });
  }

  /** Every member's read and delivered pointers. */
  reads(conversationId: string): Promise<ReadReceipt[]> {
    return this.request({ method: 'GET', path: `${conversationPath(conversationId)}/reads` });
  }

  /** A group's admins or owner rename it. */
  rename(conversationId: string, title: string): Promise<Conversation> {
    return this.request({
      method: 'PATCH',
      path: conversationPath(conversationId),
      body: { title },
    });
  }

  /** Changes after `afterRev`, ascending by rev (ChatClient catches up by itself over the socket). */
  changes(conversationId: string, query: ChangesQuery): Promise<ChangesPage> {
    const path = `${conversationPath(conversationId)}/changes`;
    return this.request({ method: 'GET', path, query: { ...query } });
  }

  /** A page ascending by seq; no cursor = the latest page. */
  history(conversationId: string, query: HistoryQuery = {}): Promise<MessagePage> {
    const path = `${conversationPath(conversationId)}/messages`;
    return this.request({ method: 'GET', path, query: { ...query } });
  }

  /** A send over REST (no retries here: `ChatClient.send` retries over the socket). */
  postMessage(conversationId: string, body: PostMessageBody): Promise<Message> {
    const path = `${conversationPath(conversationId)}/messages`;
    return this.request({ method: 'POST', path, body });
  }

  editMessage(messageId: string, body: string): Promise<Message> {
    return this.request({ method: 'PATCH', path: messagePath(messageId), body: { body } });
  }

  deleteMessage(messageId: string): Promise<Message> {
    return this.request({ method: 'DELETE', path: messagePath(messageId) });
  }

  /** Sets (`on`) or unsets the user's `emoji` on a message; repeating either changes nothing. */
  react(messageId: string, emoji: string, on = true): Promise<void> {
    const path = `${messagePath(messageId)}/reactions/${encodeURIComponent(emoji)}`;
    return this.request({ method: on ? 'PUT' : 'DELETE', path });
  }

  /** Pins (`on`) or unpins a message in its conversation; repeating either changes nothing. */
  /**
   * One attempt at uploading `file` under `idempotencyKey` (`ChatClient.upload()` retries it):
   * the stored file, or a ChatError (UNAVAILABLE when no answer came).
   */
  async uploadFile(
    file: Blob,
    name: string,
    idempotencyKey: string,
    onProgress?: UploadProgress,
    signal?: AbortSignal,
    refreshed = false,
  ): Promise<FileInfo> {
    const form = new FormData();
    form.append('file', file, name);
    const token = this.options.getToken();
    let answer: TransferResult;
    try {
      answer = await postForm(
        new URL('/api/files', this.options.baseUrl).toString(),
        {
          'idempotency-key': idempotencyKey,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        form,
        file.size,
        onProgress,
        signal,
      );
    } catch {
      if (signal?.aborted) throw new ChatError('UNAVAILABLE', 'The upload was aborted');
      throw new ChatError('UNAVAILABLE', 'The server cannot be reached');
    }
    if (answer.status === 401 && !refreshed && this.options.refreshToken) {
      if (await this.options.refreshToken())
        return this.uploadFile(file, name, idempotencyKey, onProgress, signal, true);
    }
    if (answer.status === 201) return answer.body as FileInfo;
    const body = answer.body as Partial<ErrorBody> | null;
    if (body && typeof body.error === 'string' && typeof body.message === 'string')
      throw new ChatError(body.error, body.message, answer.status);
    const code = answer.status >= 500 ? 'UNAVAILABLE' : 'INTERNAL';
    throw new ChatError(code, `HTTP ${answer.status}`, answer.status);
  }

  /** The URL of a file's bytes (or its thumbnail): fetch it with this client's token. */
  fileUrl(fileId: string, thumbnail = false): string {
    const path = `/api/files/${encodeURIComponent(fileId)}${thumbnail ? '/thumbnail' : ''}`;
    return new URL(path, this.options.baseUrl).toString();
  }

  /** Spends the refresh token for a new pair (the client's SessionKeeper calls it for you). */
  refresh(refreshToken: string): Promise<AuthResult> {
    const body = { refreshToken };
    return this.request({ method: 'POST', path: '/api/auth/refresh', body, anonymous: true });
  }

  /** Ends this session on the server (its tokens and sockets); `ChatClient.logout()` also forgets it. */
  logout(): Promise<void> {
    return this.request({ method: 'POST', path: '/api/auth/logout', retryOn401: false });
  }

  /** The user's signed-in devices, most recently used first; `current` is this one. */
  sessions(): Promise<SessionInfo[]> {
    return this.request({ method: 'GET', path: '/api/auth/sessions' });
  }

  /**
   * Deletes the account (the password asked again): every session ends, its messages are deleted,
   * it leaves its groups. Irreversible; its username is freed 30 days later.
   */
  deleteAccount(password: string): Promise<void> {
    const body = { password };
    return this.request({ method: 'DELETE', path: '/api/users/me', body });
  }

  /** Everything the account holds: the profile, its conversations, the messages it sent. */
  async exportAccount(): Promise<ExportLine[]> {
    const text = await this.request<string>({
      method: 'GET',
      path: '/api/users/me/export',
      text: true,
    });
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as ExportLine);
  }

  /** Signs one of the user's devices out (its sockets are closed within a second). */
  endSession(sessionId: string): Promise<void> {
    const path = `/api/auth/sessions/${encodeURIComponent(sessionId)}`;
    return this.request({ method: 'DELETE', path });
  }

  pin(messageId: string, on = true): Promise<void> {
    return this.request({ method: on ? 'PUT' : 'DELETE', path: `${messagePath(messageId)}/pin` });
  }

  markRead(conversationId: string, seq: number): Promise<void> {
    const path = `${conversationPath(conversationId)}/read`;
    return this.request({ method: 'POST', path, body: { seq } });
  }

  protected async request<T>(spec: RequestSpec, refreshed = false): Promise<T> {
    const token = spec.anonymous ? null : this.options.getToken();
    let response: Response;
    try {
      response = await this.fetch(this.url(spec), {
        method: spec.method,
        headers: {
          accept: 'application/json',
          ...(spec.body ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: spec.body ? JSON.stringify(spec.body) : undefined,
      });
    } catch {
      throw new ChatError('UNAVAILABLE', 'The server cannot be reached');
    }
    const renewable = !spec.anonymous && spec.retryOn401 !== false;
    if (response.status === 401 && renewable && !refreshed && this.options.refreshToken) {
      const fresh = await this.options.refreshToken();
      if (fresh) return this.request<T>(spec, true);
    }
    if (!response.ok) throw await errorFrom(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    if (spec.text) return text as T;
    // An accepted request (202, a replay) may answer with no body at all.
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  private url({ path, query }: RequestSpec): string {
    const url = new URL(path, this.options.baseUrl);
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    return url.toString();
  }
}

const conversationPath = (id: string): string => `/api/conversations/${encodeURIComponent(id)}`;
const messagePath = (id: string): string => `/api/messages/${encodeURIComponent(id)}`;

async function errorFrom(response: Response): Promise<ChatError> {
  try {
    const body = (await response.json()) as Partial<ErrorBody>;
    if (typeof body.error === 'string' && typeof body.message === 'string')
      return new ChatError(body.error, body.message, response.status, body.retryAfter);
  } catch {
    // Not the contract's error body (a proxy's page, say): fall through.
  }
  const code = response.status >= 500 ? 'UNAVAILABLE' : 'INTERNAL';
  return new ChatError(code, `HTTP ${response.status}`, response.status);
}
