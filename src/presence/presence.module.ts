import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { IdentityModule } from '../identity/identity.module';
import { RealtimeModule } from '../realtime/realtime.module';
import type Redis from 'ioredis';
import { REDIS } from '../redis/redis.module';
import { InMemoryPresenceStore } from './in-memory-presence.store';
import { RedisPresenceStore } from './redis-presence.store';
import { PRESENCE_STORE } from './presence.store';
import { PresenceService } from './presence.service';

@Module({
  imports: [ConversationsModule, IdentityModule, RealtimeModule],
  providers: [
    PresenceService,
    {
      provide: PRESENCE_STORE,
      inject: [REDIS],
      useFactory: (redis: Redis | null) =>
        redis ? new RedisPresenceStore(redis) : new InMemoryPresenceStore(),
    },
  ],
  exports: [PresenceService],
})
export class PresenceModule {}
