import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Types } from 'mongoose';
import { settled, type ByteRange, type FileStorage, type StorageSink } from './file-storage';

/** File bytes in a directory (`DATA_DIR/files`): for a single process, which alone can read it. */
export class LocalFileStorage implements FileStorage {
  private readonly directory: string;

  constructor(dataDir: string) {
    this.directory = join(dataDir, 'files');
    mkdirSync(this.directory, { recursive: true });
  }

  create(): StorageSink {
    // Keys are made here, never from a client's input, so no path can escape the directory.
    const key = new Types.ObjectId().toHexString();
    const stream = createWriteStream(this.path(key), { flags: 'wx' });
    return {
      key,
      stream,
      abort: async () => {
        await settled(stream);
        await this.remove(key);
      },
    };
  }

  read(key: string, range?: ByteRange): Readable {
    return createReadStream(this.path(key), range);
  }

  async remove(key: string): Promise<void> {
    await unlink(this.path(key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  private path(key: string): string {
    if (!/^[0-9a-f]{24}$/.test(key)) throw new Error(`Not a storage key: ${key}`);
    return join(this.directory, key);
  }
}
