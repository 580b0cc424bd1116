import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';

/**
 * A user's uploads take their room in the quota one at a time: this document exists while one
 * does. Inserted, so the unique `_id` decides between uploads at once in any process; a single
 * conditional update would not on FerretDB v1, whose updates are not atomic (DatabaseCapabilities).
 */
@Schema({ collection: 'upload_locks', versionKey: false })
export class UploadLock {
  /** The user. */
  _id!: Types.ObjectId;

  /** Held until then: a holder that died is replaced after it. */
  @Prop({ type: Date, required: true })
  until!: Date;
}

export type UploadLockDocument = HydratedDocument<UploadLock>;
export const UploadLockSchema = SchemaFactory.createForClass(UploadLock);
