import type { ErrorCode } from '@nest-chat/protocol';

/** A refusal from the server (its error code and message), or `UNAVAILABLE` for no answer at all. */
export class ChatError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The HTTP status, for REST calls. */
    readonly status?: number,
    /** With RATE_LIMITED: milliseconds the server asked to wait. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ChatError';
  }

  /** Whether the same request may succeed later: the server was unreachable or asked to slow down. */
  get retryable(): boolean {
    return this.code === 'UNAVAILABLE' || this.code === 'RATE_LIMITED';
  }
}
