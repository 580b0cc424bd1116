import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';

/**
 * Where an app's webhook delivery stands in one conversation: every event up to `seq` and `rev`
 * was answered 2xx (or skipped). Written only by the process holding the conversation's
 * partition (WebhookLeases), so no two processes move one cursor.
 */
@Schema({ collection: 'webhook_cursors', versionKey: false })
export class WebhookCursor {
  /** `<appId>:<conversationId>`: an insert decides who makes it. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: Types.ObjectId, required: true })
  appId!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  conversationId!: Types.ObjectId;

  @Prop({ required: true })
  seq!: number;

  @Prop({ required: true })
  rev!: number;

  /** Whether `conversation.created` was sent (or is not due: the conversation is older). */
  @Prop({ required: true })
  created!: boolean;

  /** Failed attempts at the event after the cursor. */
  @Prop({ required: true, default: 0 })
  attempts!: number;

  /**
   * When to look at this conversation again without being asked: set before an attempt and on a
   * failure (the retry), cleared once caught up, so work a process died in the middle of is
   * found by whoever holds the partition next.
   */
  @Prop({ type: Date, default: null })
  dueAt!: Date | null;

  /** The endpoint's generation last applied (a replay moves the cursor back). */
  @Prop({ required: true, default: 0 })
  generation!: number;
}

export type WebhookCursorDocument = HydratedDocument<WebhookCursor>;
export const WebhookCursorSchema = SchemaFactory.createForClass(WebhookCursor);
WebhookCursorSchema.index({ appId: 1, dueAt: 1 });
