import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';

/**
 * A user an app provisioned, by the host product's own id. The `_id` is `<appId>:<externalId>`,
 * so an insert decides between two provisionings of one id at once (in any process), and the
 * user's id is chosen here first: a provisioning cut off before the user was made is finished
 * by the next one, under the same id.
 */
@Schema({ collection: 'external_users', versionKey: false })
export class ExternalUser {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: Types.ObjectId, required: true })
  appId!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  userId!: Types.ObjectId;
}

export type ExternalUserDocument = HydratedDocument<ExternalUser>;
export const ExternalUserSchema = SchemaFactory.createForClass(ExternalUser);
ExternalUserSchema.index({ userId: 1 });
