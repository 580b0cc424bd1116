import { Module } from '@nestjs/common';
import { ChangesModule } from '../changes/changes.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { IdentityModule } from '../identity/identity.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { ActivityRecorder } from './activity-recorder';
import { ConversationsController } from './conversations.controller';
import { ChangeFeed } from './change-feed';
import { ConversationFanout } from './conversation-fanout';
import { DirectBlocks } from './direct-blocks';
import { ConversationAnnouncer } from './conversation-announcer';
import { ConversationViews } from './conversation-views';
import { ConversationsService } from './conversations.service';
import { GroupMembers } from './group-members';
import { MembershipsService } from './memberships.service';
import { PinsController } from './pins.controller';
import { PinsService } from './pins.service';
import { ReadPointersService } from './read-pointers.service';

@Module({
  imports: [
    // Conversations, memberships and read marks; messages for last messages, unread counts, pins.
    PersistenceModule,
    ChangesModule,
    IdentityModule,
    RealtimeModule,
  ],
  controllers: [ConversationsController, PinsController],
  providers: [
    ConversationsService,
    ConversationViews,
    ConversationAnnouncer,
    GroupMembers,
    PinsService,
    MembershipsService,
    ReadPointersService,
    ActivityRecorder,
    ChangeFeed,
    ConversationFanout,
    DirectBlocks,
  ],
  exports: [
    ConversationsService,
    ConversationViews,
    GroupMembers,
    MembershipsService,
    ReadPointersService,
    ActivityRecorder,
    ChangeFeed,
  ],
})
export class ConversationsModule {}
