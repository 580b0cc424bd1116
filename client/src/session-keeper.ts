import type { AuthResult } from '@nest-chat/protocol';
import { ChatError } from './chat-error.js';

/** What an app keeps between runs (e.g. in localStorage) to stay signed in. */
export interface ClientSession {
  accessToken: string;
  /** Null when the app gave only an access token (nothing to renew it with). */
  refreshToken: string | null;
  /** When the access token runs out, ms since the epoch; null if unknown. */
  expiresAt: number | null;
}

export interface SessionKeeperDeps {
  /** `POST /api/auth/refresh`. */
  refresh: (refreshToken: string) => Promise<AuthResult>;
  /** The app's last resort when the session is gone (sign in again): a token, or null. */
  fallback?: () => Promise<string | null> | string | null;
  /** Every change of the session (to persist it), null once signed out. */
  changed: (session: ClientSession | null) => void;
  /** A fresh access token from a refresh (to hand to the open socket). */
  renewed: (accessToken: string) => void;
}

/** Renewed this long before the access token runs out (or at 80% of a shorter lifetime). */
const RENEW_AHEAD_MS = 60_000;

/**
 * Holds the session's tokens and keeps them fresh: renewed ahead of the access token's end, and
 * on demand when the server refuses it; one refresh at a time however many callers ask, since a
 * refresh token works once and presenting a spent one ends the session.
 */
export class SessionKeeper {
  private current: ClientSession | null;
  private refreshing?: Promise<string | null>;
  private timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly deps: SessionKeeperDeps,
    initial: ClientSession | null,
  ) {
    this.current = initial;
    this.schedule();
  }

  get session(): ClientSession | null {
    return this.current;
  }

  get accessToken(): string | null {
    return this.current?.accessToken ?? null;
  }

  /** A sign-in's or refresh's answer becomes the session. */
  adopt(result: Pick<AuthResult, 'accessToken' | 'refreshToken' | 'expiresIn'>): void {
    this.set({
      accessToken: result.accessToken,
      refreshToken: result.refreshToken,
      expiresAt: Date.now() + result.expiresIn * 1000,
    });
  }

  /** Replaces the session (e.g. another tab refreshed it); null signs out. */
  set(session: ClientSession | null, announce = true): void {
    this.current = session;
    this.schedule();
    if (announce) this.deps.changed(session);
  }

  /** The server ended the session (logout elsewhere, revoked, reuse): its refresh token is dead. */
  ended(): void {
    if (this.current) this.set({ ...this.current, refreshToken: null, expiresAt: null });
  }

  /**
   * A fresh access token: by the refresh token, else from the app's fallback; null when neither
   * has one (signed out). A failure other than the server's refusal (offline) is thrown.
   */
  refresh(): Promise<string | null> {
    this.refreshing ??= this.renew().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** No more renewals ahead of time (the client was disconnected) until `resume()`. */
  stop(): void {
    clearTimeout(this.timer);
  }

  resume(): void {
    this.schedule();
  }

  private async renew(): Promise<string | null> {
    const refreshToken = this.current?.refreshToken;
    if (refreshToken) {
      try {
        const result = await this.deps.refresh(refreshToken);
        // Another caller (e.g. a tab through `set`) may have replaced the session meanwhile.
        if (this.current?.refreshToken === refreshToken) this.adopt(result);
        this.deps.renewed(result.accessToken);
        return result.accessToken;
      } catch (error) {
        if (!(error instanceof ChatError && error.code === 'UNAUTHORIZED')) throw error;
      }
    }
    const fresh = (await this.deps.fallback?.()) ?? null;
    this.set(fresh ? { accessToken: fresh, refreshToken: null, expiresAt: null } : null);
    return fresh;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    const { refreshToken, expiresAt } = this.current ?? {};
    if (!refreshToken || !expiresAt) return;
    const left = expiresAt - Date.now();
    // A minute ahead of the end, or at 80% of a lifetime too short for that.
    const delay = Math.max(0, left - RENEW_AHEAD_MS, left * 0.8);
    this.timer = setTimeout(() => void this.refresh().catch(() => this.retryLater()), delay);
    // In Node, a pending renewal must not keep the process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Offline when it was due: tried again shortly (a 401 later also triggers it). */
  private retryLater(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh().catch(() => this.retryLater()), 5000);
    (this.timer as { unref?: () => void }).unref?.();
  }
}
