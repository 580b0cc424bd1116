import { Module } from '@nestjs/common';
import { ConversationsModule } from '../../../../src/conversations/conversations.module';
import { MessageStatsController } from './message-stats.controller';
import { MessageStatsService } from './message-stats.service';

/** A feature module as `nest generate module|service|controller message-stats` lays it out. */
@Module({
  imports: [ConversationsModule],
  controllers: [MessageStatsController],
  providers: [MessageStatsService],
})
export class MessageStatsModule {}
