import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';

export type InstanceRole = 'user' | 'admin';

@Schema({ collection: 'users', timestamps: { createdAt: true, updatedAt: false } })
export class User {
  _id!: Types.ObjectId;

  // Lowercase by the contract's pattern, so a prefix range scan is a case-insensitive search.
  @Prop({ required: true })
  username!: string;

  @Prop({ required: true })
  displayName!: string;

  /** Empty for an account that cannot sign in with a password (deleted, provisioned, a bot). */
  @Prop({ type: String, default: '', select: false })
  passwordHash!: string;

  /** Instance-wide role (absent on older documents: `user`); granted only from the command line. */
  @Prop({ type: String, enum: ['user', 'admin'], default: 'user' })
  role?: InstanceRole;

  /** An app's bot user (absent on older documents: false). */
  @Prop({ type: Boolean, default: false })
  bot?: boolean;

  /**
   * When the account was deleted (null: it was not). It cannot sign in, is not found by search,
   * and shows as "Deleted user"; its username is freed for others USERNAME_HOLD_DAYS later.
   */
  @Prop({ type: Date, default: null })
  deletedAt!: Date | null;

  /**
   * While a deletion's erasing (sessions, messages, groups) is unfinished: until when the process
   * doing it holds it; after that, any process's sweep takes it over. Null once done (and always
   * for a live account), so the index holds only unfinished deletions.
   */
  @Prop({ type: Date, default: null })
  erasingUntil!: Date | null;

  createdAt!: Date;
}

export type UserDocument = HydratedDocument<User>;
export const UserSchema = SchemaFactory.createForClass(User);
UserSchema.index({ username: 1 }, { unique: true });
UserSchema.index({ erasingUntil: 1 });
