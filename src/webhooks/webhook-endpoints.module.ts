import { Module } from '@nestjs/common';
import { WebhookEndpoints } from './webhook-endpoints';
import { WebhookSecrets } from './webhook-secrets';

/**
 * What setting an endpoint needs (its URL's rules, its sealed secret), apart from delivery, so the
 * command line can make apps without starting a deliverer.
 */
@Module({
  providers: [WebhookEndpoints, WebhookSecrets],
  exports: [WebhookEndpoints, WebhookSecrets],
})
export class WebhookEndpointsModule {}
