import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppsService } from '../apps/apps.service';
import { validateEnvironment } from '../environment';
import { DatabaseModule } from '../database/database.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { WebhookEndpointsModule } from '../webhooks/webhook-endpoints.module';
import { AppsCreateCommand } from './apps-create.command';
import { GrantAdminCommand, RevokeAdminCommand } from './instance-role.commands';

/** The command line's own small graph: configuration, the database, and what the commands use. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, cache: true, validate: validateEnvironment }),
    DatabaseModule,
    PersistenceModule,
    WebhookEndpointsModule,
  ],
  providers: [AppsService, GrantAdminCommand, RevokeAdminCommand, AppsCreateCommand],
})
export class CliModule {}
