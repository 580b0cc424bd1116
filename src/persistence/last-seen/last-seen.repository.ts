import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted, Types } from 'mongoose';
import { isDuplicateKey } from '../../database/is-duplicate-key';
import { LastSeen } from './last-seen.schema';

/** The last_seen collection: the only class that touches it. */
@Injectable()
export class LastSeenRepository {
  constructor(@InjectModel(LastSeen.name) private readonly lastSeen: Model<LastSeen>) {}

  async record(userId: Types.ObjectId, at: Date): Promise<void> {
    try {
      await this.lastSeen.updateOne({ _id: userId }, { $set: { at } }, { upsert: true });
    } catch (error) {
      // Two first records at once: one inserted, the other now updates it.
      if (!isDuplicateKey(error)) throw error;
      await this.lastSeen.updateOne({ _id: userId }, { $set: { at } });
    }
  }

  /** The last-seen time of each of `ids` that has one. */
  async of(ids: Types.ObjectId[]): Promise<Map<string, Date>> {
    const found = await this.lastSeen.find({ _id: trusted({ $in: ids }) }).lean();
    return new Map(found.map((entry) => [entry._id.toHexString(), entry.at]));
  }
}
