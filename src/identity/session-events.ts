import type { SessionExpiredEvent } from '@nest-chat/protocol';

/**
 * Sessions ended (logout, revoked from the list, refresh-token reuse, the account deleted): their
 * sockets, in every process, are told and disconnected. `sessionIds` null means all of the user's.
 */
export class SessionsEnded {
  static readonly event = 'sessions.ended';
  constructor(
    readonly userId: string,
    readonly sessionIds: readonly string[] | null,
    readonly reason: SessionEndReason,
  ) {}
}

export type SessionEndReason = Exclude<SessionExpiredEvent['reason'], 'expired'>;
