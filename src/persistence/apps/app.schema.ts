import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';

export const APP_SCOPES = [
  'users:write',
  'conversations:write',
  'messages:write',
  'events:read',
] as const;
export type AppScope = (typeof APP_SCOPES)[number];

export type WebhookScope = 'member' | 'all';
export type WebhookStatus = 'active' | 'disabled';

/** Where an app hears about events, and whether it is being told. */
@Schema({ _id: false, versionKey: false })
export class WebhookEndpoint {
  @Prop({ required: true })
  url!: string;

  /** Event types sent (all of them unless the app chose). */
  @Prop({ type: [String], default: [] })
  events!: string[];

  @Prop({ type: String, enum: ['member', 'all'], required: true })
  scope!: WebhookScope;

  @Prop({ type: String, enum: ['active', 'disabled'], required: true })
  status!: WebhookStatus;

  @Prop({ type: String, default: null })
  disabledReason!: string | null;

  /** The signing secret, encrypted (AppSecrets): it must be read back to sign, so it cannot be hashed. */
  @Prop({ required: true })
  secret!: string;

  /** Events from this time on are sent (when the endpoint was set, or what a replay asked for). */
  @Prop({ type: Date, required: true })
  since!: Date;

  /**
   * Bumped by every replay and re-enable: each process's deliverer sees a new generation and
   * moves its cursors (a replay) or retries at once (a re-enable).
   */
  @Prop({ required: true, default: 0 })
  generation!: number;

  /** The latest replay's time, and the generation it made (cursors older than it move back). */
  @Prop({ type: Date, default: null })
  replaySince!: Date | null;

  @Prop({ required: true, default: 0 })
  replayGeneration!: number;
}
const WebhookEndpointSchema = SchemaFactory.createForClass(WebhookEndpoint);

/** An integration: a bot user, API keys (app_keys) and optionally a webhook endpoint. */
@Schema({
  collection: 'apps',
  timestamps: { createdAt: true, updatedAt: false },
  versionKey: false,
})
export class App {
  _id!: Types.ObjectId;

  @Prop({ required: true })
  name!: string;

  @Prop({ type: Types.ObjectId, required: true })
  botUserId!: Types.ObjectId;

  /** What its keys may do at most. */
  @Prop({ type: [String], required: true })
  scopes!: AppScope[];

  @Prop({ type: WebhookEndpointSchema, default: null })
  webhook!: WebhookEndpoint | null;

  createdAt!: Date;
}

export type AppDocument = HydratedDocument<App>;
export const AppSchema = SchemaFactory.createForClass(App);
// Only a few apps per instance: the deliverer reads those with a webhook.
AppSchema.index({ 'webhook.status': 1 });
