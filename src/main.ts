import 'reflect-metadata';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Environment } from './config/environment';
import type { EmbeddedDatabase } from '@nest-chat/dev-tools';

async function bootstrap(): Promise<void> {
  let database: EmbeddedDatabase | undefined;
  if (!process.env.MONGODB_URI && process.env.NODE_ENV !== 'production') {
    // Development tooling (tools/), loaded only here: production always names its database.
    const { startEmbeddedDatabase } = await import('@nest-chat/dev-tools');
    database = await startEmbeddedDatabase({
      dataDir: process.env.DATA_DIR || 'data',
      log: (line) => console.log(`[embedded database] ${line}`),
    });
    process.env.MONGODB_URI = database.uri;
    // The benchmark's figure decides (README, Files): on FerretDB every GridFS chunk read scans
    // all chunks, so downloads slow as files pile up; the embedded server is one process, which
    // is what the local store needs. A chosen FILE_STORAGE is kept.
    if (database.kind === 'ferretdb') process.env.FILE_STORAGE ??= 'local';
  }

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
