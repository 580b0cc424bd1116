import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { MongooseModule } from '@nestjs/mongoose';
import mongoose from 'mongoose';
import type { DatabaseSettings } from './database.settings';
import { IndexesReady } from './indexes-ready';

@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<DatabaseSettings, true>) => ({
        uri: config.get('MONGODB_URI', { infer: true }),
        // Fail fast while the database is unreachable (UNAVAILABLE) instead of queueing forever.
        bufferCommands: false,
        serverSelectionTimeoutMS: config.get('MONGODB_TIMEOUT_MS', { infer: true }),
        connectTimeoutMS: config.get('MONGODB_TIMEOUT_MS', { infer: true }),
        socketTimeoutMS: config.get('MONGODB_SOCKET_TIMEOUT_MS', { infer: true }),
        // Acked means durable: wait for the journal, and the majority on a replica set.
        writeConcern: { w: 'majority', journal: true },
        autoIndex: true,
        connectionFactory: (connection: mongoose.Connection) => {
          // Defence in depth behind DTO validation: `$`-keys in filters become literal `$eq`s,
          // so the server's own operators are marked with mongoose.trusted().
          mongoose.set('sanitizeFilter', true);
          mongoose.set('strictQuery', true);
          return connection;
        },
      }),
    }),
  ],
  providers: [IndexesReady],
})
export class DatabaseModule {}
