/**
 * Which users have sockets open. Behind this interface so that the store shared by several
 * server processes (Redis) and the single-process one are interchangeable.
 */
export interface PresenceStore {
  /** Records a socket; true when it is the user's first. */
  add(userId: string, socketId: string): Promise<boolean>;
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
