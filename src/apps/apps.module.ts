import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { IdentityModule } from '../identity/identity.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { WebhookEndpointsModule } from '../webhooks/webhook-endpoints.module';
import { AppsController } from './apps.controller';
import { AppsService } from './apps.service';
import { AppConversationsController } from './provisioning/app-conversations.controller';
import { AppConversationsService } from './provisioning/app-conversations.service';
import { AppUsersController } from './provisioning/app-users.controller';
import { AppUsersService } from './provisioning/app-users.service';

/**
 * The server inside another product: apps with API keys and a bot user each, the users and
 * conversations they provision, and (through WebhookEndpointsModule) their endpoints.
 */
@Module({
  imports: [PersistenceModule, IdentityModule, ConversationsModule, WebhookEndpointsModule],
  // The key routes first: `apps/users/…` must not be read as `apps/:id/…`.
  controllers: [AppUsersController, AppConversationsController, AppsController],
  providers: [AppsService, AppUsersService, AppConversationsService],
  exports: [AppsService],
})
export class AppsModule {}
