import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';

/**
 * A read pointer is the highest of a member's read marks. Marks are only inserted (and older
 * ones pruned), so the pointer cannot move backwards even when updates race: FerretDB v1 does
 * not isolate a conditional update, so `$max` or `{ seq: { $lt } }` alone could regress it.
 */
@Schema({ collection: 'readmarks', versionKey: false })
export class ReadMark {
  _id!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  conversationId!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  userId!: Types.ObjectId;

  @Prop({ required: true })
  seq!: number;

  /** When the mark was made (absent on marks stored before it was kept). */
  @Prop({ type: Date, default: () => new Date() })
  at?: Date;
}

export type ReadMarkDocument = HydratedDocument<ReadMark>;
export const ReadMarkSchema = SchemaFactory.createForClass(ReadMark);
ReadMarkSchema.index({ conversationId: 1, userId: 1, seq: -1 }, { unique: true });
