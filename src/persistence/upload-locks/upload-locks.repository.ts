import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted, Types } from 'mongoose';
import { isDuplicateKey } from '../../database/is-duplicate-key';
import { UploadLock } from './upload-lock.schema';

/** The upload_locks collection: the only class that touches it. */
@Injectable()
export class UploadLocksRepository {
  constructor(@InjectModel(UploadLock.name) private readonly locks: Model<UploadLock>) {}

  /** Takes the user's lock until `until`: false when another holds it (and has not lapsed). */
  async take(userId: Types.ObjectId, until: Date, now: Date): Promise<boolean> {
    try {
      await this.locks.collection.insertOne({ _id: userId, until });
      return true;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    // A holder that died: its lock goes (the next take may then win it).
    await this.locks.deleteOne({ _id: userId, until: trusted({ $lt: now }) });
    return false;
  }

  /** Gives the lock back, if it is still the one taken until `until`. */
  async give(userId: Types.ObjectId, until: Date): Promise<void> {
    await this.locks.deleteOne({ _id: userId, until });
  }
}
