import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FilesSettings } from './files.settings';
import { FilesRepository } from '../persistence/files/files.repository';
import { MessagesRepository } from '../persistence/messages/messages.repository';
import { FILE_STORAGE, type FileStorage } from './storage/file-storage';

const BATCH = 100;

/**
 * Deletes files that no message took within FILE_ORPHAN_HOURS (or that none carries any more,
 * its messages deleted), and uploads that never finished, giving their room back to the quota:
 * every FILE_SWEEP_SECONDS in every process. Safe with several processes: a file is claimed
 * (`deleting`) only while it is still an orphan, so a send that attached it meanwhile keeps it,
 * and one that attaches it later is refused; removing bytes twice is harmless.
 */
@Injectable()
export class OrphanSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrphanSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private readonly orphanMs: number;
  private readonly everyMs: number;

  constructor(
    private readonly files: FilesRepository,
    private readonly messages: MessagesRepository,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    config: ConfigService<FilesSettings, true>,
  ) {
    this.orphanMs = config.get('FILE_ORPHAN_HOURS', { infer: true }) * 3600 * 1000;
    this.everyMs = config.get('FILE_SWEEP_SECONDS', { infer: true }) * 1000;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep().catch(() => undefined), this.everyMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One sweep (one at a time per process); how many files it deleted. */
  sweep(): Promise<number> {
    this.running ??= this.deleteOrphans().finally(() => (this.running = undefined));
    return this.running;
  }

  private async deleteOrphans(): Promise<number> {
    let deleted = 0;
    try {
      const cutoff = new Date(Date.now() - this.orphanMs);
      for (const file of await this.files.orphans(cutoff, BATCH)) {
        // Claimed, then the bytes, then the record: a sweep that stops between two steps
        // leaves a `deleting` record, which the next sweep finishes (never bytes nobody owns).
        if (!(await this.files.claimOrphan(file._id, file.storageKey))) continue;
        // Attached just as its last carrier was deleted (FilesService.released): it stays.
        if ((await this.messages.conversationsCarrying(file._id)).length > 0) {
          await this.files.unclaim(file._id, new Date());
          continue;
        }
        await this.storage.remove(file.storageKey);
        if (file.thumbnailKey) await this.storage.remove(file.thumbnailKey);
        // Its room in the uploader's quota goes with its record.
        await this.files.removeClaimed(file._id);
        deleted += 1;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Orphaned file sweep failed; the next one retries');
    }
    if (deleted > 0) this.logger.log({ deleted }, 'Deleted orphaned files');
    return deleted;
  }
}
