import 'reflect-metadata';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Environment } from './environment';
import { developmentDatabase } from './database/development-database';

async function bootstrap(): Promise<void> {
  const database = await developmentDatabase('server');

  // Loaded only now: the configuration is validated when AppModule is imported.
  const { AppModule } = await import('./app.module');
  const { APP_OPTIONS, configureApp } = await import('./app.setup');
  const app = await NestFactory.create<NestExpressApplication>(AppModule, APP_OPTIONS);
  configureApp(app);

  // Close the app first (connections, database client), then the embedded database it used.
  const shutdown = async (): Promise<void> => {
    await app.close();
    await database?.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());

  const config = app.get<ConfigService<Environment, true>>(ConfigService);
  await app.listen(config.get('PORT', { infer: true }), config.get('HOST', { infer: true }));
}

void bootstrap();
