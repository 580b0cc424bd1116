import { Module } from '@nestjs/common';
import { ChangesModule } from '../changes/changes.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { FilesModule } from '../files/files.module';
import { IdentityModule } from '../identity/identity.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { PresenceModule } from '../presence/presence.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { ChatGateway } from './chat.gateway';
import { MessageChanges } from './message-changes';
import { MessageStore } from './message-store';
import { MessageFanout } from './message-fanout';
import { MessageWriter } from './message-writer';
import { SendRouter } from './writer-routing/send-router';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';
import { ReactionsController } from './reactions.controller';
import { ReactionsService } from './reactions.service';
import { SocketSessions } from './socket-sessions';
import { TypingService } from './typing.service';

@Module({
  imports: [
    PersistenceModule,
    IdentityModule,
    ChangesModule,
    ConversationsModule,
    FilesModule,
    PresenceModule,
    RateLimitModule,
    RealtimeModule,
  ],
  controllers: [MessagesController, ReactionsController],
  providers: [
    ChatGateway,
    MessagesService,
    MessageChanges,
    ReactionsService,
    MessageStore,
    MessageWriter,
    SendRouter,
    MessageFanout,
    TypingService,
    SocketSessions,
  ],
  exports: [MessagesService],
})
export class ChatModule {}
