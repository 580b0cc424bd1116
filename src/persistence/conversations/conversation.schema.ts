import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';

export type ConversationType = 'direct' | 'group';

@Schema({ collection: 'conversations', timestamps: { createdAt: true, updatedAt: false } })
export class Conversation {
  _id!: Types.ObjectId;

  @Prop({ required: true, enum: ['direct', 'group'] })
  type!: ConversationType;

  @Prop({ type: String, default: null })
  title!: string | null;

  /** In a group, the one member who may remove others. Members live in `memberships`. */
  @Prop({ type: Types.ObjectId, required: true })
  creatorId!: Types.ObjectId;

  /**
   * The sorted member pair for a direct conversation, so a unique index makes "the same pair
   * always gets the same one" hold under races. Groups use their own id: FerretDB has no
   * partial indexes and ignores `sparse`, so every document needs a distinct value.
   */
  @Prop({ required: true })
  uniqueKey!: string;

  /** The latest seq, kept for ordering the conversation list; messages hold the truth. */
  @Prop({ default: 0 })
  lastSeq!: number;

  @Prop({ type: Date, required: true })
  lastActivityAt!: Date;

  /**
   * In a direct conversation, the members who blocked the other (absent on older documents):
   * kept here, where every send already looks, so enforcing a block costs a send no read.
   */
  @Prop({ type: [Types.ObjectId], default: [] })
  blockedBy?: Types.ObjectId[];

  /** Pinned messages, oldest pin first (absent on older documents). */
  @Prop({ type: [Types.ObjectId], default: [] })
  pinnedMessageIds?: Types.ObjectId[];

  createdAt!: Date;
}

export type ConversationDocument = HydratedDocument<Conversation>;
export const ConversationSchema = SchemaFactory.createForClass(Conversation);
ConversationSchema.index({ uniqueKey: 1 }, { unique: true });
ConversationSchema.index({ lastActivityAt: -1 });
