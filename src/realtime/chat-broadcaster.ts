import { Injectable } from '@nestjs/common';
import type { ChatNamespace, ServerToClientEvents } from '../chat/chat.events';
import { MetricsService } from '../metrics/metrics.service';

export const userRoom = (userId: string): string => `user:${userId}`;

/**
 * The one way services reach sockets: each user's sockets share a room, so an emit to a
 * member reaches all of their connections (and, with a socket.io adapter, other processes).
 */
@Injectable()
export class ChatBroadcaster {
  private namespace?: ChatNamespace;

  constructor(private readonly metrics: MetricsService) {}

  attach(namespace: ChatNamespace): void {
    this.namespace = namespace;
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
}
