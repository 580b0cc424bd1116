import { Module } from '@nestjs/common';
import { PersistenceModule } from '../persistence/persistence.module';
import { ChangeLog } from './change-log';
import { ConversationTurns } from './conversation-turns';

/** The per-conversation change feed's write side: turns and rev numbering, for every feature. */
@Module({
  imports: [PersistenceModule],
  providers: [ChangeLog, ConversationTurns],
  exports: [ChangeLog, ConversationTurns],
})
export class ChangesModule {}
