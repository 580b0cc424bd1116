import type { Types } from 'mongoose';
import type { MemberRole } from '@nest-chat/protocol';
import { BoundedMap } from '../common/bounded-map';
import type { Conversation } from '../persistence/conversations/conversation.schema';

export interface Member {
  userId: Types.ObjectId;
  role: MemberRole;
  joinedAt: Date;
}

export interface ConversationMembers {
  /** Null when there is no such conversation (not cached, so a new one is seen at once). */
  conversation: Conversation | null;
  /** In the order they joined. */
  members: readonly Types.ObjectId[];
  /** The same, with their roles. */
  roster: readonly Member[];
}

interface Entry {
  value: Promise<ConversationMembers>;
  expiresAt: number;
}

/**
 * Each conversation and its members, kept per process so that a send reads nothing but its own
 * insert. Every change of membership drops the entry in every process (MembershipsService
 * tells the cluster); the time limit only bounds the damage of a drop that got lost.
 * Concurrent misses share one load.
 */
export class MemberCache {
  private readonly entries: BoundedMap<string, Entry>;

  constructor(
    private readonly load: (conversationId: string) => Promise<ConversationMembers>,
    private readonly ttlMs: number,
    maxEntries: number,
  ) {
    this.entries = new BoundedMap(maxEntries);
  }

  get(conversationId: string): Promise<ConversationMembers> {
    const cached = this.entries.get(conversationId);
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    const entry: Entry = { value: this.load(conversationId), expiresAt: Date.now() + this.ttlMs };
    this.entries.set(conversationId, entry);
    // Failures and misses are not kept; a drop during the load already removed this entry.
    entry.value.then(
      ({ conversation }) => {
        if (!conversation) this.forget(conversationId, entry);
      },
      () => this.forget(conversationId, entry),
    );
    return entry.value;
  }

  drop(conversationId: string): void {
    this.entries.delete(conversationId);
  }

  clear(): void {
    this.entries.clear();
  }

  private forget(conversationId: string, entry: Entry): void {
    if (this.entries.get(conversationId) === entry) this.entries.delete(conversationId);
  }
}
