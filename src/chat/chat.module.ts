import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConversationsModule } from '../conversations/conversations.module';
import { IdentityModule } from '../identity/identity.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { ChatGateway } from './chat.gateway';
import { MessageSequencer } from './message-sequencer';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';
import { Message, MessageSchema } from './schemas/message.schema';

@Module({
  imports: [
    MongooseModule.forFeature([{ name: Message.name, schema: MessageSchema }]),
    IdentityModule,
    ConversationsModule,
    RealtimeModule,
  ],
  controllers: [MessagesController],
  providers: [ChatGateway, MessagesService, MessageSequencer],
})
export class ChatModule {}
