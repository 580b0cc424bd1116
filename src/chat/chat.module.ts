import { Module } from '@nestjs/common';
import { ChangesModule } from '../changes/changes.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { FilesModule } from '../files/files.module';
import { IdentityModule } from '../identity/identity.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { PresenceModule } from '../presence/presence.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { ChatGateway } from './gateway/chat.gateway';
import { MessageChanges } from './edits/message-changes';
import { MessageStore } from './sending/message-store';
import { MessageFanout } from './edits/message-fanout';
import { MessageWriter } from './sending/message-writer';
import { SendRouter } from './sending/writer-routing/send-router';
import { MessagesController } from './messages.controller';
import { MessageHistory } from './history/message-history';
import { MessagesService } from './messages.service';
import { ReactionsController } from './reactions/reactions.controller';
import { ReactionsService } from './reactions/reactions.service';
import { SocketSessions } from './gateway/socket-sessions';
import { TypingService } from './gateway/typing.service';

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
    MessageHistory,
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
