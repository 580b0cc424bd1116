import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';

@Schema({ collection: 'messages', versionKey: false })
export class Message {
  _id!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  conversationId!: Types.ObjectId;

  /** Per-conversation order, from 1; the unique index below is what makes it gap- and repeat-free. */
  @Prop({ required: true })
  seq!: number;

  @Prop({ type: Types.ObjectId, required: true })
  senderId!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, default: null })
  receiverId!: Types.ObjectId | null;

  @Prop({ type: String, default: '' })
  body!: string;

  @Prop({ type: String, default: null })
  clientMsgId!: string | null;

  /**
   * `c:<clientMsgId>`, or `m:<_id>` when there is none: unique per sender, so a resend cannot be
   * stored twice, and messages without a clientMsgId never collide (no partial indexes in FerretDB).
   */
  @Prop({ required: true })
  dedupeKey!: string;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, default: null })
  editedAt!: Date | null;

  @Prop({ type: Date, default: null })
  deletedAt!: Date | null;

  /** The rev of the message's latest change; 0 (or absent, on older documents) if none. */
  @Prop({ default: 0 })
  rev!: number;
}

export type MessageDocument = HydratedDocument<Message>;
export const MessageSchema = SchemaFactory.createForClass(Message);
MessageSchema.index({ conversationId: 1, seq: 1 }, { unique: true });
MessageSchema.index({ senderId: 1, dedupeKey: 1 }, { unique: true });
