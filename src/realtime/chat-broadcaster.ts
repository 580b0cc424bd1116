import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type Redis from 'ioredis';
import { MembersChanged } from './membership-events';
import type { ChatNamespace, ServerToClientEvents } from './realtime.events';
import { MetricsService } from '../metrics/metrics.service';
import { REDIS } from '../redis/redis.module';

export const userRoom = (userId: string): string => `user:${userId}`;

/**
 * The one way services reach sockets: each user's sockets share a room, so an emit to a
 * member reaches all of their connections (and, with a socket.io adapter, other processes).
 * It also carries the one message servers send each other: "this conversation's members changed",
 * published here as a MembersChanged event.
 */
@Injectable()
export class ChatBroadcaster {
  private namespace?: ChatNamespace;

  constructor(
    private readonly metrics: MetricsService,
    private readonly events: EventEmitter2,
    @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  attach(namespace: ChatNamespace): void {
    this.namespace = namespace;
    namespace.on('members:changed', (conversationId) => {
      this.events.emit(MembersChanged.event, new MembersChanged(conversationId));
    });
  }

  toUsers<E extends keyof ServerToClientEvents>(
    userIds: readonly string[],
    event: E,
    ...payload: Parameters<ServerToClientEvents[E]>
  ): void {
    if (!this.namespace || userIds.length === 0) return;
    this.namespace.to(userIds.map(userRoom)).emit(event, ...payload);
    this.metrics.fanoutDeliveries.inc({ event }, userIds.length);
  }

  /** Tells the other processes (through the socket.io adapter, so only with Redis). */
  announceMembersChanged(conversationId: string): void {
    if (this.namespace && this.redis)
      this.namespace.serverSideEmit('members:changed', conversationId);
  }
}
