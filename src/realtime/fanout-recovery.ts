import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { MetricsService } from '../metrics/metrics.service';
import { FanoutLinks } from './fanout-links';
import { FanoutResumed } from './fanout-events';
import type { ChatNamespace } from './realtime.events';
import { userRoom } from './user-room';

/** Publishes in flight when the link broke may be lost too: those of the last this many ms. */
const IN_FLIGHT_MS = 1_000;
/** Users remembered as possibly missed; past this, every socket everywhere catches up. */
const MAX_MISSED = 50_000;
/** Users per inter-server message. */
const ANNOUNCE_BATCH = 1_000;

/**
 * Makes clients catch up after the fan-out lost packets, by closing their connections: they
 * reconnect and read what they missed by seq and rev, as after any cut (the contract's recovery
 * path, so every client that follows it recovers). A transport close, not a socket.io
 * disconnect, so socket.io clients reconnect on their own.
 * - This process's subscription broke: every socket here may have missed something.
 * - Its publishing broke: the users it emitted to meanwhile (and just before) may have missed
 *   something on other processes; those processes are told which (`users:resync`).
 */
@Injectable()
export class FanoutRecovery {
  private readonly logger = new Logger(FanoutRecovery.name);
  private namespace?: ChatNamespace;
  /** Recipients of the current and the previous IN_FLIGHT_MS. */
  private recent = new Set<string>();
  private older = new Set<string>();
  private recentSince = Date.now();
  private missed = new Set<string>();
  private missedTooMany = false;

  constructor(
    private readonly links: FanoutLinks,
    private readonly metrics: MetricsService,
  ) {}

  attach(namespace: ChatNamespace): void {
    this.namespace = namespace;
    namespace.on('users:resync', (userIds) => this.cutLocal(userIds));
  }

  /** Called for every emit through Redis, with its recipients. */
  emitted(userIds: readonly string[]): void {
    const now = Date.now();
    if (now - this.recentSince >= IN_FLIGHT_MS) {
      this.older = this.recent;
      this.recent = new Set();
      this.recentSince = now;
    }
    const into = this.links.publishing ? this.recent : this.missed;
    for (const id of userIds) into.add(id);
    if (this.missed.size > MAX_MISSED) {
      this.missedTooMany = true;
      this.missed.clear();
    }
  }

  @OnEvent(FanoutResumed.event)
  resumed({ link }: FanoutResumed): void {
    if (!this.namespace) return;
    if (link === 'subscribe') {
      this.cutLocal(null);
      return;
    }
    const missed = new Set([...this.missed, ...this.recent, ...this.older]);
    this.missed.clear();
    if (this.missedTooMany) {
      this.missedTooMany = false;
      this.logger.warn('Fan-out lost too many packets to track: every client catches up');
      this.namespace.serverSideEmit('users:resync', null);
      this.cutLocal(null);
      return;
    }
    const users = [...missed];
    for (let start = 0; start < users.length; start += ANNOUNCE_BATCH) {
      this.namespace.serverSideEmit('users:resync', users.slice(start, start + ANNOUNCE_BATCH));
    }
  }

  /** Closes the connections of these users' sockets on this process (null: of every socket). */
  private cutLocal(userIds: readonly string[] | null): void {
    const namespace = this.namespace;
    if (!namespace) return;
    const socketIds =
      userIds === null
        ? [...namespace.sockets.keys()]
        : userIds.flatMap((id) => [...(namespace.adapter.rooms.get(userRoom(id)) ?? [])]);
    let cut = 0;
    for (const socketId of socketIds) {
      const socket = namespace.sockets.get(socketId);
      if (!socket) continue;
      socket.conn.close();
      cut += 1;
    }
    if (cut > 0) {
      this.metrics.fanoutResyncCuts.inc(cut);
      this.logger.log(`Closed ${cut} connections so their clients catch up on what fan-out lost`);
    }
  }
}
