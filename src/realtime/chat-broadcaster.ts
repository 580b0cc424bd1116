import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { MembersChanged } from './membership-events';
import type { ChatNamespace, ServerToClientEvents } from './realtime.events';
import { MetricsService } from '../metrics/metrics.service';
import { FanoutLinks } from './fanout-links';
import { FanoutRecovery } from './fanout-recovery';
import { userRoom } from './user-room';

/**
 * The one way services reach sockets: each user's sockets share a room, so an emit to a
 * member reaches all of their connections, on every process. It also carries the one message
 * servers send each other: "this conversation's members changed", published here as a
 * MembersChanged event.
 *
 * With Redis, an event goes out once per user: the adapter publishes each to that user's room
 * channel, to which only processes with a socket of the user subscribe, so a process pays for
 * its own users' packets and not for everyone's. (One emit to several rooms would go to the
 * channel every process reads.)
 */
@Injectable()
export class ChatBroadcaster {
  private namespace?: ChatNamespace;

  constructor(
    private readonly metrics: MetricsService,
    private readonly events: EventEmitter2,
    private readonly links: FanoutLinks,
    private readonly recovery: FanoutRecovery,
  ) {}

  attach(namespace: ChatNamespace): void {
    this.namespace = namespace;
    this.recovery.attach(namespace);
    namespace.on('members:changed', (conversationId) => {
      this.events.emit(MembersChanged.event, new MembersChanged(conversationId));
    });
  }

  toUsers<E extends keyof ServerToClientEvents>(
    userIds: readonly string[],
    event: E,
    ...payload: Parameters<ServerToClientEvents[E]>
  ): void {
    const namespace = this.namespace;
    if (!namespace || userIds.length === 0) return;
    if (this.links.clients) {
      this.recovery.emitted(userIds);
      for (const id of userIds) namespace.to(userRoom(id)).emit(event, ...payload);
    } else {
      namespace.to(userIds.map(userRoom)).emit(event, ...payload);
    }
    this.metrics.fanoutDeliveries.inc({ event }, userIds.length);
  }

  /** Tells the other processes (through the socket.io adapter, so only with Redis). */
  announceMembersChanged(conversationId: string): void {
    if (this.namespace && this.links.clients) {
      this.namespace.serverSideEmit('members:changed', conversationId);
    }
  }
}
