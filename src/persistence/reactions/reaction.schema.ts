import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';

/**
 * One user's one emoji on one message: its own record, so that reactions set at once from many
 * processes are each stored once (the unique index decides) and a message's counts are counted
 * from them, never incremented blind.
 */
@Schema({ collection: 'reactions', versionKey: false })
export class Reaction {
  _id!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  messageId!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  conversationId!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  userId!: Types.ObjectId;

  @Prop({ required: true })
  emoji!: string;

  @Prop({ type: Date, required: true })
  at!: Date;
}

export type ReactionDocument = HydratedDocument<Reaction>;
export const ReactionSchema = SchemaFactory.createForClass(Reaction);
ReactionSchema.index({ messageId: 1, userId: 1, emoji: 1 }, { unique: true });
ReactionSchema.index({ messageId: 1, at: 1 });
