import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';

/** One delivery attempt of a webhook event (`GET /api/apps/:id/deliveries`); kept a week. */
@Schema({ collection: 'webhook_attempts', versionKey: false })
export class WebhookAttempt {
  _id!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  appId!: Types.ObjectId;

  /** The event's `webhook-id`. */
  @Prop({ required: true })
  eventId!: string;

  @Prop({ required: true })
  type!: string;

  @Prop({ type: Types.ObjectId, required: true })
  conversationId!: Types.ObjectId;

  /** 1 for the first try. */
  @Prop({ required: true })
  attempt!: number;

  /** The receiver's HTTP status; null when none came (refused, timed out). */
  @Prop({ type: Number, default: null })
  status!: number | null;

  @Prop({ required: true })
  latencyMs!: number;

  @Prop({ type: String, default: null })
  error!: string | null;

  @Prop({ type: Date, required: true })
  at!: Date;
}

export type WebhookAttemptDocument = HydratedDocument<WebhookAttempt>;
export const WebhookAttemptSchema = SchemaFactory.createForClass(WebhookAttempt);
WebhookAttemptSchema.index({ appId: 1, at: -1 });
// Old attempts are removed by time (FerretDB v1 has no TTL indexes).
WebhookAttemptSchema.index({ at: 1 });
