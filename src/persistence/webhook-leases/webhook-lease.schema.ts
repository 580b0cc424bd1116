import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument } from 'mongoose';

/**
 * One process's hold on an app's partition of conversations for one time slot. Inserted, so the
 * unique `_id` (`<appId>:<partition>:<slot>`) decides between processes; FerretDB v1's updates
 * are not atomic, so a lease is never taken over by an update. A slot's lease is removed by its
 * holder two slots later (FerretDB v1 has no TTL indexes).
 */
@Schema({ collection: 'webhook_leases', versionKey: false })
export class WebhookLease {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  owner!: string;
}

export type WebhookLeaseDocument = HydratedDocument<WebhookLease>;
export const WebhookLeaseSchema = SchemaFactory.createForClass(WebhookLease);
