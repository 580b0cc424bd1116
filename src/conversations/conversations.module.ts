import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { PersistenceModule } from '../persistence/persistence.module';
import { IdentityModule } from '../identity/identity.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { ActivityRecorder } from './activity-recorder';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';
import { MembershipsService } from './memberships.service';
import { ReadPointersService } from './read-pointers.service';
import { Conversation, ConversationSchema } from './schemas/conversation.schema';
import { Membership, MembershipSchema } from './schemas/membership.schema';
import { ReadMark, ReadMarkSchema } from './schemas/read-mark.schema';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Conversation.name, schema: ConversationSchema },
      { name: Membership.name, schema: MembershipSchema },
      { name: ReadMark.name, schema: ReadMarkSchema },
    ]),
    // Messages: read here for last messages, unread counts and read caps.
    PersistenceModule,
    IdentityModule,
    RealtimeModule,
  ],
  controllers: [ConversationsController],
  providers: [ConversationsService, MembershipsService, ReadPointersService, ActivityRecorder],
  exports: [ConversationsService, MembershipsService, ReadPointersService, ActivityRecorder],
})
export class ConversationsModule {}
