import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { WebhookAdminController } from './webhook-admin.controller';
import { WebhookAdminService } from './webhook-admin.service';
import { WebhookAttemptLog } from './webhook-attempt-log';
import { WebhookAudience } from './webhook-audience';
import { WebhookConversationDelivery } from './webhook-conversation-delivery';
import { WebhookCursorStarts } from './webhook-cursor-starts';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookEndpointsModule } from './webhook-endpoints.module';
import { WebhookEventSource } from './webhook-event-source';
import { WebhookNudges } from './webhook-nudges';
import { WebhookPartitions } from './webhook-partitions';
import { WebhookPositions } from './webhook-positions';
import { WebhookSender } from './webhook-sender';

/** Delivering every stored event to apps' endpoints, and what admins see of it. */
@Module({
  imports: [PersistenceModule, ConversationsModule, WebhookEndpointsModule],
  controllers: [WebhookAdminController],
  providers: [
    WebhookAdminService,
    WebhookAttemptLog,
    WebhookAudience,
    WebhookConversationDelivery,
    WebhookCursorStarts,
    WebhookDeliverer,
    WebhookEventSource,
    WebhookNudges,
    WebhookPartitions,
    WebhookPositions,
    WebhookSender,
  ],
})
export class WebhooksModule {}
