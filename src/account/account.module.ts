import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { IdentityModule } from '../identity/identity.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { AccountController } from './account.controller';
import { AccountErasures } from './account-erasures';
import { AccountService } from './account.service';

/** The account as a whole (deletion, export): spans identity, conversations and messages. */
@Module({
  imports: [PersistenceModule, IdentityModule, ConversationsModule, ChatModule],
  controllers: [AccountController],
  providers: [AccountService, AccountErasures],
})
export class AccountModule {}
