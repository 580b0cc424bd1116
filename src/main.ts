import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { EmbeddedDatabase, startEmbeddedDatabase } from './database/embedded-database';

async function bootstrap(): Promise<void> {
  let database: EmbeddedDatabase | undefined;
  if (!process.env.MONGODB_URI && process.env.NODE_ENV !== 'production') {
    database = await startEmbeddedDatabase({
      dataDir: process.env.DATA_DIR ?? 'data',
      log: (line) => console.log(`[embedded database] ${line}`),
    });
    process.env.MONGODB_URI = database.uri;
  }

  // Loaded only now: the configuration is validated when AppModule is imported.
  const { AppModule } = await import('./app.module');
  const { configureApp } = await import('./app.setup');
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true });
  configureApp(app);
  if (database) {
    const embedded = database;
    process.once('exit', () => void embedded.stop('SIGKILL'));
    app.getHttpServer().once('close', () => void embedded.stop());
  }
  await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '0.0.0.0');
}

void bootstrap();
