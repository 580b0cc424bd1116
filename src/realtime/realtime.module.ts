import { Module } from '@nestjs/common';
import { ChatBroadcaster } from './chat-broadcaster';

@Module({
  providers: [ChatBroadcaster],
  exports: [ChatBroadcaster],
})
export class RealtimeModule {}
