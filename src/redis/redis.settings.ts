import { IsOptional, Matches } from 'class-validator';
import { Setting } from '../config/setting';

/** Redis, which several processes share. */
export class RedisSettings {
  /** Set to run several processes: socket.io fan-out, presence and rate limits go through Redis. */
  @Setting(
    '`redis://` URI (Redis 7): fan-out, writer leases, presence and rate limits shared by every process',
    {
      shownDefault: '— (one process)',
    },
  )
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// URI' })
  REDIS_URL?: string;
}
