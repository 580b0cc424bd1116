import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerModule } from '@nestjs/throttler';
import type Redis from 'ioredis';
import type { RateLimitSettings } from './rate-limit.settings';
import { REDIS } from '../redis/redis.module';
import { isAuthAttempt } from './auth-attempts.decorator';
import { FixedWindowThrottlerStorage } from './fixed-window-storage';
import { isKeyRequest } from './rate-limit.guard';
import { UserRateLimiter } from './user-rate-limiter';

/**
 * Per-user rate limits, counted in Redis when REDIS_URL is set (so every process shares them),
 * else in memory, in fixed windows either way. REST requests and auth attempts through
 * RateLimitGuard; message sends, REST and socket alike, through UserRateLimiter.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [ConfigService, REDIS],
      useFactory: (config: ConfigService<RateLimitSettings, true>, redis: Redis | null) => {
        const ttl = config.get('RATE_LIMIT_WINDOW_SECONDS', { infer: true }) * 1000;
        const perUser = config.get('RATE_LIMIT_REQUESTS', { infer: true });
        const perKey = config.get('RATE_LIMIT_KEY_REQUESTS', { infer: true });
        return {
          throttlers: [
            {
              name: 'requests',
              ttl,
              limit: (context) => (isKeyRequest(context) ? perKey : perUser),
            },
            {
              name: 'auth',
              ttl,
              limit: config.get('RATE_LIMIT_AUTH', { infer: true }),
              skipIf: (context) => !isAuthAttempt(context),
            },
          ],
          storage: redis
            ? new ThrottlerStorageRedisService(redis)
            : new FixedWindowThrottlerStorage(),
        };
      },
    }),
  ],
  providers: [UserRateLimiter],
  exports: [UserRateLimiter],
})
export class RateLimitModule {}
