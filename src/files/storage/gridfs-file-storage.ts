import type { Readable } from 'node:stream';
import { mongo } from 'mongoose';
import { settled, type ByteRange, type FileStorage, type StorageSink } from './file-storage';

/**
 * File bytes in the database through the driver's GridFSBucket (bucket `uploads`): one database
 * to run and back up, shared by every server process. Chunks of 255 KiB are written as they come.
 */
export class GridFsFileStorage implements FileStorage {
  private readonly bucket: mongo.GridFSBucket;

  constructor(db: mongo.Db) {
    this.bucket = new mongo.GridFSBucket(db, { bucketName: 'uploads' });
  }

  create(name: string): StorageSink {
    const id = new mongo.ObjectId();
    const stream = this.bucket.openUploadStreamWithId(id, name);
    return {
      key: id.toHexString(),
      stream,
      abort: async () => {
        await settled(stream);
        await this.remove(id.toHexString());
      },
    };
  }

  read(key: string, range?: ByteRange): Readable {
    const options = range ? { start: range.start, end: range.end + 1 } : undefined;
    return this.bucket.openDownloadStream(new mongo.ObjectId(key), options);
  }

  async remove(key: string): Promise<void> {
    try {
      await this.bucket.delete(new mongo.ObjectId(key));
    } catch (error) {
      if (!(error instanceof Error && /not found/i.test(error.message))) throw error;
    }
  }
}
