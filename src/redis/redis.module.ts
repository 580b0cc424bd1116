import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import type { RedisSettings } from './redis.settings';
import { MetricsService } from '../metrics/metrics.service';

/** The shared Redis client, or null when REDIS_URL is not set (a single process). */
export const REDIS = Symbol('Redis');

class RedisShutdown implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [ConfigService, MetricsService],
      useFactory: async (config: ConfigService<RedisSettings, true>, metrics: MetricsService) => {
        const url = config.get('REDIS_URL', { infer: true });
        if (!url) return null;
        const logger = new Logger('Redis');
        // Fail commands fast while Redis is away instead of queueing them behind the reconnect.
        const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
        let reported = false;
        redis.on('error', (error: Error) => {
          metrics.redisErrors.inc();
          if (!reported) logger.error({ err: error }, 'Redis connection error');
          reported = true;
        });
        redis.on('ready', () => {
          if (reported) logger.log('Redis connection restored');
          reported = false;
        });
        // Start-up waits for Redis: a process that cannot reach it must not take traffic.
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            redis.disconnect();
            reject(new Error(`Redis at REDIS_URL did not answer within 10 s`));
          }, 10_000);
          redis.once('ready', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        // Fan-out and the forwarding of sends use sharded pub/sub (SPUBLISH), new in Redis 7.
        const version = /redis_version:(\d+)/.exec(await redis.info('server'))?.[1] ?? '0';
        if (Number(version) < 7) {
          redis.disconnect();
          throw new Error(`Redis at REDIS_URL is version ${version}: 7.0 or later is needed`);
        }
        return redis;
      },
    },
    RedisShutdown,
  ],
  exports: [REDIS],
})
export class RedisModule {}
