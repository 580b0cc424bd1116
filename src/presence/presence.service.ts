import { OnEvent } from '@nestjs/event-emitter';
import { MembersJoined } from '../realtime/membership-events';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { PresenceEvent } from '../realtime/realtime.events';
import { KeyedQueue } from '../common/keyed-queue';
import { MembershipsService } from '../conversations/memberships.service';
import { BlocksService } from '../identity/blocks.service';
import { UsersService } from '../identity/users.service';
import { ChatBroadcaster } from '../realtime/chat-broadcaster';
import { PRESENCE_STORE, type PresenceStore } from './presence.store';

/**
 * `presence` when a user's first socket connects or last one leaves, to everyone who shares a
 * conversation with them; lastSeenAt is kept in last_seen.
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnModuleDestroy {
  static readonly REAP_INTERVAL_MS = 5_000;

  private readonly logger = new Logger(PresenceService.name);
  // One user's connects and disconnects take turns, so online/offline cannot be reordered.
  private readonly turns = new KeyedQueue();
  /** Sockets recorded at their handshake and not yet connected: whether each is the user's first. */
  private readonly reserved = new Map<string, boolean>();
  private reaper?: NodeJS.Timeout;

  constructor(
    @Inject(PRESENCE_STORE) private readonly store: PresenceStore,
    private readonly memberships: MembershipsService,
    private readonly users: UsersService,
    private readonly broadcaster: ChatBroadcaster,
    private readonly blocks: BlocksService,
  ) {}

  onModuleInit(): void {
    this.reaper = setInterval(() => void this.reap(), PresenceService.REAP_INTERVAL_MS);
    this.reaper.unref();
  }

  /** Users who start sharing a conversation learn each other's presence at once. */
  @OnEvent(MembersJoined.event)
  membersJoined({ joined, members }: MembersJoined): void {
    void this.introduce(joined, members);
  }

  onModuleDestroy(): void {
    clearInterval(this.reaper);
  }

  /**
   * Records a socket at its handshake unless the user has `max` open (on every process): false
   * then. Counting and recording are one step of the store, so handshakes at once cannot all pass.
   */
  reserve(userId: string, socketId: string, max: number): Promise<boolean> {
    return this.turns.run(userId, async () => {
      const outcome = await this.store.add(userId, socketId, max);
      if (outcome === 'full') return false;
      this.reserved.set(socketId, outcome === 'first');
      return true;
    });
  }

  /**
   * The socket is connected (recorded now if its handshake could not reserve it): announces the
   * user online if it is their first, and returns the presence of their contacts who are online.
   */
  connected(userId: string, socketId: string): Promise<PresenceEvent[]> {
    return this.turns.run(userId, async () => {
      const reserved = this.reserved.get(socketId);
      this.reserved.delete(socketId);
      const first = reserved ?? (await this.store.add(userId, socketId, Infinity)) === 'first';
      const contacts = await this.memberships.contactsOf(userId);
      if (first) await this.announce(userId, contacts, true);
      const reachable = await this.store.onlineAmong(contacts);
      // Those who blocked this user are not shown to them.
      const hiding = await this.blocks.blockersAmong(userId, reachable);
      const online = reachable.filter((id) => !hiding.has(id));
      const seen = await this.users.lastSeen(online);
      const now = new Date();
      return online.map((id) => ({ userId: id, online: true, lastSeenAt: seen.get(id) ?? now }));
    });
  }

  disconnected(userId: string, socketId: string): Promise<void> {
    return this.turns.run(userId, async () => {
      this.reserved.delete(socketId);
      if (!(await this.store.remove(userId, socketId))) return;
      await this.announce(userId, await this.memberships.contactsOf(userId), false);
    });
  }

  /**
   * New contacts learn each other's presence: each joined user gets the online members, and the
   * other members get the joined users who are online. (Connect-time snapshots only cover the
   * conversations that existed then.)
   */
  private async introduce(joined: readonly string[], members: readonly string[]): Promise<void> {
    try {
      const online = await this.store.onlineAmong([...members]);
      const seen = await this.users.lastSeen(online);
      const now = new Date();
      const presence = (id: string): PresenceEvent => ({
        userId: id,
        online: true,
        lastSeenAt: seen.get(id) ?? now,
      });
      const newcomers = new Set(joined);
      for (const id of online) {
        const audience = newcomers.has(id) ? members : joined;
        const hidden = await this.blocks.blockedBy(id);
        const others = audience.filter((member) => member !== id && !hidden.has(member));
        this.broadcaster.toUsers(others, 'presence', presence(id));
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not introduce new contacts');
    }
  }

  /** Users of a server process that died go offline. */
  private async reap(): Promise<void> {
    try {
      for (const userId of await this.store.reapDead()) {
        await this.turns.run(userId, async () => {
          await this.announce(userId, await this.memberships.contactsOf(userId), false);
        });
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Reaping dead processes failed');
    }
  }

  private async announce(userId: string, contacts: string[], online: boolean): Promise<void> {
    const lastSeenAt = new Date();
    try {
      await this.users.touchLastSeen(userId, lastSeenAt);
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not record lastSeenAt');
    }
    // Those this user blocked do not see their presence.
    let audience = contacts;
    try {
      const hidden = await this.blocks.blockedBy(userId);
      audience = contacts.filter((id) => !hidden.has(id));
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not read blocks; presence not announced');
      return;
    }
    this.broadcaster.toUsers(audience, 'presence', { userId, online, lastSeenAt });
  }
}
