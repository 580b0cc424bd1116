import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { IdentityModule } from '../identity/identity.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { InMemoryPresenceStore } from './in-memory-presence.store';
import { PRESENCE_STORE } from './presence.store';
import { PresenceService } from './presence.service';

@Module({
  imports: [ConversationsModule, IdentityModule, RealtimeModule],
  providers: [PresenceService, { provide: PRESENCE_STORE, useClass: InMemoryPresenceStore }],
  exports: [PresenceService],
})
export class PresenceModule {}
