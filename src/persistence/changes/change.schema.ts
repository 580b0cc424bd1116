import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';
import type { ChangeKind } from '@nest-chat/protocol';
import type { Message } from '../messages/message.schema';

/**
 * One change of a conversation's state, numbered by `rev` (gap-free per conversation, like a
 * message's seq). The unique (conversationId, rev) index is the arbiter between processes.
 */
@Schema({ collection: 'changes', versionKey: false })
export class Change {
  _id!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  conversationId!: Types.ObjectId;

  @Prop({ required: true })
  rev!: number;

  @Prop({ type: String, required: true })
  kind!: ChangeKind;

  @Prop({ type: Date, required: true })
  at!: Date;

  @Prop({ type: Types.ObjectId, required: true })
  actorId!: Types.ObjectId;

  /** The changed message (message kinds). */
  @Prop({ type: Types.ObjectId, default: null })
  messageId!: Types.ObjectId | null;

  /**
   * The message as this change left it (message kinds), so a reader of the feed needs no read of
   * the messages (on FerretDB, a scan of them all).
   */
  @Prop({ type: Object, default: null })
  message!: Message | null;

  /** The member who joined or left (member kinds). */
  @Prop({ type: Types.ObjectId, default: null })
  userId!: Types.ObjectId | null;
}

export type ChangeDocument = HydratedDocument<Change>;
export const ChangeSchema = SchemaFactory.createForClass(Change);
ChangeSchema.index({ conversationId: 1, rev: 1 }, { unique: true });
// A deleted message's text is erased from every change that holds a copy of it or quotes it.
ChangeSchema.index({ messageId: 1 });
ChangeSchema.index({ 'message.replyTo.id': 1 });
// And those with new changes (ChangesRepository.touchedSince).
ChangeSchema.index({ at: 1 });
