import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted, Types } from 'mongoose';
import { isDuplicateKey } from '../../database/is-duplicate-key';
import { Block } from './block.schema';

/** The blocks collection: the only class that touches it. */
@Injectable()
export class BlocksRepository {
  constructor(@InjectModel(Block.name) private readonly blocks: Model<Block>) {}

  /** False when it was already there. */
  async add(blockerId: Types.ObjectId, blockedId: Types.ObjectId): Promise<boolean> {
    try {
      await this.blocks.collection.insertOne({
        _id: new Types.ObjectId(),
        blockerId,
        blockedId,
        at: new Date(),
      });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** False when there was none. */
  async remove(blockerId: Types.ObjectId, blockedId: Types.ObjectId): Promise<boolean> {
    return (await this.blocks.deleteOne({ blockerId, blockedId })).deletedCount > 0;
  }

  async exists(blockerId: Types.ObjectId, blockedId: Types.ObjectId): Promise<boolean> {
    return (await this.blocks.exists({ blockerId, blockedId })) !== null;
  }

  /** Whom `blockerId` blocked, latest first. */
  async blockedBy(blockerId: Types.ObjectId): Promise<Types.ObjectId[]> {
    const found = await this.blocks.find({ blockerId }, { blockedId: 1 }).sort({ at: -1 }).lean();
    return found.map((block) => block.blockedId);
  }

  /** Of `userIds`, those who blocked `blockedId`. */
  async blockersAmong(
    blockedId: Types.ObjectId,
    userIds: Types.ObjectId[],
  ): Promise<Types.ObjectId[]> {
    const found = await this.blocks
      .find({ blockedId, blockerId: trusted({ $in: userIds }) }, { blockerId: 1 })
      .lean();
    return found.map((block) => block.blockerId);
  }
}
