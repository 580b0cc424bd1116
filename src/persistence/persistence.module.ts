import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { DatabaseCapabilities } from './database-capabilities';
import { Message, MessageSchema } from './messages/message.schema';
import { MessagesRepository } from './messages/messages.repository';

/**
 * The persistence layer: each collection registered once, behind the one repository that owns
 * it, and what the database can do. Feature modules import this; none registers a model.
 */
@Module({
  imports: [MongooseModule.forFeature([{ name: Message.name, schema: MessageSchema }])],
  providers: [DatabaseCapabilities, MessagesRepository],
  exports: [DatabaseCapabilities, MessagesRepository],
})
export class PersistenceModule {}
