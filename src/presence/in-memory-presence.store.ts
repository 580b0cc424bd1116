import { Injectable } from '@nestjs/common';
import type { AddOutcome, PresenceStore } from './presence.store';

/** Presence for a single server process. */
@Injectable()
export class InMemoryPresenceStore implements PresenceStore {
  private readonly sockets = new Map<string, Set<string>>();

  add(userId: string, socketId: string, max: number): Promise<AddOutcome> {
    const mine = this.sockets.get(userId) ?? new Set<string>();
    if (mine.size >= max && !mine.has(socketId)) return Promise.resolve('full');
    mine.add(socketId);
    this.sockets.set(userId, mine);
    return Promise.resolve(mine.size === 1 ? 'first' : 'another');
  }

  remove(userId: string, socketId: string): Promise<boolean> {
    const mine = this.sockets.get(userId);
    if (!mine?.delete(socketId)) return Promise.resolve(false);
    if (mine.size > 0) return Promise.resolve(false);
    this.sockets.delete(userId);
    return Promise.resolve(true);
  }

  count(userId: string): Promise<number> {
    return Promise.resolve(this.sockets.get(userId)?.size ?? 0);
  }

  /** One process: nothing else can die and leave sockets behind. */
  reapDead(): Promise<string[]> {
    return Promise.resolve([]);
  }

  onlineAmong(userIds: readonly string[]): Promise<string[]> {
    return Promise.resolve(userIds.filter((id) => this.sockets.has(id)));
  }
}
