import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type Redis from 'ioredis';
import { REDIS } from '../redis/redis.module';
import { FanoutResumed } from './fanout-events';

/**
 * The socket.io adapter's two Redis connections, watched. Redis pub/sub delivers at most once: a
 * packet published while a link is down is gone. So the moment a link is back, FanoutResumed says
 * which one, and ChatBroadcaster makes the clients that may have missed something catch up.
 */
@Injectable()
export class FanoutLinks implements OnApplicationShutdown {
  private readonly logger = new Logger(FanoutLinks.name);
  /**
   * Null without Redis. The publisher fails at once while Redis is away, so local delivery does
   * not wait for it; the subscriber queues (un)subscriptions meanwhile and subscribes again after.
   */
  readonly clients: { publisher: Redis; subscriber: Redis } | null;

  constructor(@Inject(REDIS) redis: Redis | null, events: EventEmitter2) {
    this.clients = redis && {
      publisher: redis.duplicate({
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        // A publish cut off in flight counts as lost (FanoutRecovery), never as sent twice.
        autoResendUnfulfilledCommands: false,
      }),
      subscriber: redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null }),
    };
    for (const [link, client] of [
      ['publish', this.clients?.publisher],
      ['subscribe', this.clients?.subscriber],
    ] as const) {
      let lost = false;
      client?.on('error', () => undefined); // the shared client reports Redis errors
      client?.on('close', () => {
        if (!lost) this.logger.warn(`Fan-out lost its ${link} link to Redis`);
        lost = true;
      });
      client?.on('ready', () => {
        if (!lost) return;
        lost = false;
        this.logger.log(`Fan-out ${link} link to Redis restored`);
        events.emit(FanoutResumed.event, new FanoutResumed(link));
      });
    }
  }

  /** Whether a publish now can reach Redis (else the packet is lost to other processes). */
  get publishing(): boolean {
    return this.clients?.publisher.status === 'ready';
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      Object.values(this.clients ?? {}).map((client) =>
        client.quit().catch(() => client.disconnect()),
      ),
    );
  }
}
