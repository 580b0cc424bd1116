/**
 * Which users have sockets open. Behind this interface so that the store shared by several
 * server processes (Redis) and the single-process one are interchangeable.
 */
/** What recording a socket did: the user's first, another one, or none (`max` were open). */
export type AddOutcome = 'first' | 'another' | 'full';

export interface PresenceStore {
  /**
   * Records a socket unless the user already has `max` open, in one step (across processes for
   * the shared store), so handshakes at once cannot all pass the cap.
   */
  add(userId: string, socketId: string, max: number): Promise<AddOutcome>;
  /** Forgets a socket; true when it was the user's last. */
  remove(userId: string, socketId: string): Promise<boolean>;
  /** How many sockets the user has open. */
  count(userId: string): Promise<number>;
  /** The users among `userIds` who have at least one socket. */
  onlineAmong(userIds: readonly string[]): Promise<string[]>;
  /** Forgets the sockets of server processes that died; returns the users now offline. */
  reapDead(): Promise<string[]>;
}

export const PRESENCE_STORE = Symbol('PresenceStore');
