import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { DatabaseCapabilities } from './database-capabilities';
import { Message, MessageSchema } from './messages/message.schema';
import { MessagesRepository } from './messages/messages.repository';
import { User, UserSchema } from './users/user.schema';
import { UsersRepository } from './users/users.repository';

/**
 * The persistence layer: each collection registered once, behind the one repository that owns
 * it, and what the database can do. Feature modules import this; none registers a model.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Message.name, schema: MessageSchema },
      { name: User.name, schema: UserSchema },
    ]),
  ],
  providers: [DatabaseCapabilities, MessagesRepository, UsersRepository],
  exports: [DatabaseCapabilities, MessagesRepository, UsersRepository],
})
export class PersistenceModule {}
