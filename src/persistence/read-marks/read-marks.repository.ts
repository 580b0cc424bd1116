import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted, Types } from 'mongoose';
import { isDuplicateKey } from '../../database/is-duplicate-key';
import { ReadMark } from './read-mark.schema';

/** The read marks collection (insert-only marks, pruned): the only class that touches it. */
@Injectable()
export class ReadMarksRepository {
  constructor(@InjectModel(ReadMark.name) private readonly marks: Model<ReadMark>) {}

  /** The member's highest mark: their read pointer, 0 when none. */
  async highest(conversationId: Types.ObjectId, userId: Types.ObjectId): Promise<number> {
    const top = await this.marks
      .findOne({ conversationId, userId }, { seq: 1 })
      .sort({ seq: -1 })
      .lean();
    return top?.seq ?? 0;
  }

  /** Records a mark; the same mark again (another device) is already recorded. */
  async add(conversationId: Types.ObjectId, userId: Types.ObjectId, seq: number): Promise<void> {
    try {
      await this.marks.create({ conversationId, userId, seq });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /** Drops the member's marks below `seq`: they cannot be the highest any more. */
  async pruneBelow(
    conversationId: Types.ObjectId,
    userId: Types.ObjectId,
    seq: number,
  ): Promise<void> {
    await this.marks.deleteMany({ conversationId, userId, seq: trusted({ $lt: seq }) });
  }
}
