import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';
import type { AppScope } from '../apps/app.schema';

/** One API key of an app: only its hash is kept (the key is shown once, when made). */
@Schema({
  collection: 'app_keys',
  timestamps: { createdAt: true, updatedAt: false },
  versionKey: false,
})
export class AppKey {
  /** Also the key's public part (`chk_<id>_…`), so a presented key is found by `_id`. */
  _id!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  appId!: Types.ObjectId;

  /** SHA-256 of the whole key, hex: keys are random and long, so a slow hash adds nothing. */
  @Prop({ required: true })
  hash!: string;

  @Prop({ type: [String], required: true })
  scopes!: AppScope[];

  createdAt!: Date;
}

export type AppKeyDocument = HydratedDocument<AppKey>;
export const AppKeySchema = SchemaFactory.createForClass(AppKey);
AppKeySchema.index({ appId: 1 });
