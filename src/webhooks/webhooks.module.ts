import { Module } from '@nestjs/common';
import { PersistenceModule } from '../persistence/persistence.module';
import { WebhookEndpoints } from './webhook-endpoints';
import { WebhookSecrets } from './webhook-secrets';

/** Webhook endpoints' rules and secrets, and delivering every stored event to them. */
@Module({
  imports: [PersistenceModule],
  providers: [WebhookEndpoints, WebhookSecrets],
  exports: [WebhookEndpoints, WebhookSecrets],
})
export class WebhooksModule {}
