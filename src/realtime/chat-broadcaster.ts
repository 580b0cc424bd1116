import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { ChatNamespace, ServerToClientEvents } from './realtime.events';
import { MetricsService } from '../metrics/metrics.service';
import { REDIS } from '../redis/redis.module';

export const userRoom = (userId: string): string => `user:${userId}`;

type MembersChanged = (conversationId: string) => void;
type MembersJoined = (joined: readonly string[], members: readonly string[]) => void;

/**
 * The one way services reach sockets: each user's sockets share a room, so an emit to a
 * member reaches all of their connections (and, with a socket.io adapter, other processes).
 * It also carries the one message servers send each other: "this conversation's members changed".
 */
@Injectable()
export class ChatBroadcaster {
  private namespace?: ChatNamespace;
  private readonly membersChangedListeners: MembersChanged[] = [];
  private readonly membersJoinedListeners: MembersJoined[] = [];

  constructor(
    private readonly metrics: MetricsService,
    @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  attach(namespace: ChatNamespace): void {
    this.namespace = namespace;
    namespace.on('members:changed', (conversationId) => {
      for (const listener of this.membersChangedListeners) listener(conversationId);
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

  /** `joined` became members of a conversation (of `members`), in this process. */
  membersJoined(joined: readonly string[], members: readonly string[]): void {
    for (const listener of this.membersJoinedListeners) listener(joined, members);
  }

  onMembersJoined(listener: MembersJoined): void {
    this.membersJoinedListeners.push(listener);
  }

  /** Runs `listener` when another process announces a change of members. */
  onMembersChanged(listener: MembersChanged): void {
    this.membersChangedListeners.push(listener);
  }
}
