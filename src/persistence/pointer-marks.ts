import { Model, trusted, Types } from 'mongoose';
import { isDuplicateKey } from '../database/is-duplicate-key';
import type { ReadMark } from './read-marks/read-mark.schema';

/** A member's pointer: the seq of their highest mark, and when it was made. */
export interface Pointer {
  seq: number;
  at: Date | null;
}

/**
 * A collection of pointer marks (read marks, delivery marks): a member's pointer is their highest
 * mark. Marks are only inserted (older ones pruned), so a pointer never moves backwards even when
 * updates race. Each collection's repository extends this with its own model.
 */
export abstract class PointerMarks {
  protected constructor(private readonly marks: Model<ReadMark>) {}

  /** The member's pointer, 0 when none. */
  async highest(conversationId: Types.ObjectId, userId: Types.ObjectId): Promise<number> {
    const top = await this.marks
      .findOne({ conversationId, userId }, { seq: 1 })
      .sort({ seq: -1 })
      .lean();
    return top?.seq ?? 0;
  }

  /** Every member's pointer in a conversation, by user id (members without marks are absent). */
  async pointersIn(conversationId: Types.ObjectId): Promise<Map<string, Pointer>> {
    const marks = await this.marks.find({ conversationId }, { userId: 1, seq: 1, at: 1 }).lean();
    const pointers = new Map<string, Pointer>();
    for (const mark of marks) {
      const key = mark.userId.toHexString();
      if ((pointers.get(key)?.seq ?? -1) < mark.seq) {
        pointers.set(key, { seq: mark.seq, at: mark.at ?? null });
      }
    }
    return pointers;
  }

  /** Records a mark; the same mark again (another device) is already recorded. */
  async add(conversationId: Types.ObjectId, userId: Types.ObjectId, seq: number): Promise<void> {
    try {
      await this.marks.create({ conversationId, userId, seq, at: new Date() });
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
