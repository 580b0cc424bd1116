import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { DatabaseSettings } from '../database/database.settings';
import type { FilesSettings } from './files.settings';
import { ConversationsModule } from '../conversations/conversations.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { FilesController } from './files.controller';
import { FilesService } from './files.service';
import { OrphanSweeper } from './orphan-sweeper';
import { FILE_STORAGE, type FileStorage } from './storage/file-storage';
import { GridFsFileStorage } from './storage/gridfs-file-storage';
import { LocalFileStorage } from './storage/local-file-storage';

/** Uploads, downloads and thumbnails; the one place that picks where file bytes are stored. */
@Module({
  imports: [PersistenceModule, ConversationsModule, RateLimitModule],
  controllers: [FilesController],
  providers: [
    FilesService,
    OrphanSweeper,
    {
      provide: FILE_STORAGE,
      inject: [ConfigService, getConnectionToken()],
      useFactory: (
        config: ConfigService<DatabaseSettings & FilesSettings, true>,
        connection: Connection,
      ): FileStorage => {
        if (config.get('FILE_STORAGE', { infer: true }) === 'local') {
          return new LocalFileStorage(config.get('DATA_DIR', { infer: true }));
        }
        if (!connection.db) throw new Error('GridFS needs the database connection open');
        return new GridFsFileStorage(connection.db);
      },
    },
  ],
  exports: [FilesService],
})
export class FilesModule {}
