import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';

/** A reply's quote of the message it answers, as it was when the reply was sent. */
export interface StoredReplyQuote {
  id: Types.ObjectId;
  seq: number;
  senderId: Types.ObjectId;
  excerpt: string;
}

/** One emoji's count on a message and the first ten who set it (the reactions collection holds all). */
export interface StoredReactionSummary {
  emoji: string;
  count: number;
  userIds: Types.ObjectId[];
}

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

  /**
   * The rev of the latest edit or delete applied, and of the latest reaction change applied: each
   * kind of change is applied only over an older one of its kind, so a reaction applied first by
   * another process never makes an earlier-numbered edit look stale (absent on older documents).
   */
  @Prop()
  textRev?: number;

  @Prop()
  reactionsRev?: number;

  @Prop({ type: Object, default: null })
  replyTo?: StoredReplyQuote | null;

  /**
   * Whether another document may hold a copy of its text: a reply's quote, a pin's change item
   * (edits and reactions show as `rev`). Only then does a delete look for copies to erase,
   * which on FerretDB means scanning the messages and the changes.
   */
  @Prop()
  copied?: boolean;

  /** Members named as `@username` when it was sent (absent on older documents). */
  @Prop({ type: [Types.ObjectId], default: [] })
  mentions?: Types.ObjectId[];

  @Prop({ type: [Object], default: [] })
  reactions?: StoredReactionSummary[];

  /** Files sent with it, as they were then (absent on older documents; [] once deleted). */
  @Prop({ type: [Object], default: [] })
  attachments?: StoredAttachment[];
}

/** A file as a message carries it: what a member needs to show and fetch it. */
export interface StoredAttachment {
  id: Types.ObjectId;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  width: number | null;
  height: number | null;
  createdAt: Date;
  uploaderId: Types.ObjectId;
}

export type MessageDocument = HydratedDocument<Message>;
export const MessageSchema = SchemaFactory.createForClass(Message);
MessageSchema.index({ conversationId: 1, seq: 1 }, { unique: true });
MessageSchema.index({ senderId: 1, dedupeKey: 1 }, { unique: true });
// A member's unread mentions (mentionCount): MongoDB reads them from this multikey index.
MessageSchema.index({ mentions: 1, conversationId: 1, seq: 1 });
// Who may read a file: the conversations of the messages that carry it.
MessageSchema.index({ 'attachments.id': 1 });
// The replies quoting a message, whose excerpts go when it is deleted.
MessageSchema.index({ 'replyTo.id': 1 });
// Webhook delivery finds the conversations with new messages by time (MessagesRepository.touchedSince).
MessageSchema.index({ createdAt: 1 });
