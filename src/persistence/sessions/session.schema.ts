import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';

/**
 * One signed-in device: what its access tokens name (`sid`) and its refresh token's place in the
 * rotation. Read by `_id` on every authenticated request, so revocation takes effect at once.
 */
@Schema({ collection: 'sessions', versionKey: false })
export class Session {
  _id!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  userId!: Types.ObjectId;

  /** Kept here so that authenticating a request reads this document only. */
  @Prop({ required: true })
  username!: string;

  /** The refresh token's generation: +1 on every rotation; only the current one is valid. */
  @Prop({ required: true })
  generation!: number;

  /** When the previous generation was spent (its grace for a lost answer runs from here). */
  @Prop({ type: Date, default: null })
  rotatedAt!: Date | null;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  /** The last sign-in or refresh (not every request: that would be a write per request). */
  @Prop({ type: Date, required: true })
  lastUsedAt!: Date;

  /** Sliding: each refresh moves it on by the refresh token's lifetime. */
  @Prop({ type: Date, required: true })
  expiresAt!: Date;

  /** The client's `User-Agent` at sign-in, cut to 200 characters, to tell sessions apart. */
  @Prop({ type: String, default: '' })
  userAgent!: string;

  @Prop({ type: Date, default: null })
  revokedAt!: Date | null;

  /** Why it ended: `logout`, `revoked` (from the sessions list), `reuse`, `account-deleted`. */
  @Prop({ type: String, default: null })
  revokedReason!: string | null;
}

export type SessionDocument = HydratedDocument<Session>;
export const SessionSchema = SchemaFactory.createForClass(Session);
SessionSchema.index({ userId: 1, lastUsedAt: -1 });
