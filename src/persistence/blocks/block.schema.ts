import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';

/** One user blocking another; unique per pair and direction. */
@Schema({ collection: 'blocks', versionKey: false })
export class Block {
  _id!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  blockerId!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  blockedId!: Types.ObjectId;

  @Prop({ type: Date, required: true })
  at!: Date;
}

export type BlockDocument = HydratedDocument<Block>;
export const BlockSchema = SchemaFactory.createForClass(Block);
BlockSchema.index({ blockerId: 1, blockedId: 1 }, { unique: true });
BlockSchema.index({ blockedId: 1 });
