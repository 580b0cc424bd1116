/**
 * Which users have sockets open. Kept behind this interface so that a store shared by several
 * server processes (Redis) can replace the in-memory one.
 */
export interface PresenceStore {
  /** Records a socket; true when it is the user's first. */
  add(userId: string, socketId: string): Promise<boolean>;
  /** Forgets a socket; true when it was the user's last. */
  remove(userId: string, socketId: string): Promise<boolean>;
  /** The users among `userIds` who have at least one socket. */
  onlineAmong(userIds: readonly string[]): Promise<string[]>;
}

export const PRESENCE_STORE = Symbol('PresenceStore');
