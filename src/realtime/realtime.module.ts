import { Module } from '@nestjs/common';
import { ChatBroadcaster } from './chat-broadcaster';
import { FanoutLinks } from './fanout-links';
import { FanoutRecovery } from './fanout-recovery';

@Module({
  providers: [ChatBroadcaster, FanoutLinks, FanoutRecovery],
  exports: [ChatBroadcaster, FanoutLinks],
})
export class RealtimeModule {}
