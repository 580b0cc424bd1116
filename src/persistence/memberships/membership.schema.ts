import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';
import type { MemberRole } from '@nest-chat/protocol';

/**
 * One document per member of a conversation. Membership is inserted and deleted (only its role
 * is set in place): FerretDB v1 applies array updates as unisolated read-modify-writes, so two
 * concurrent `$addToSet`s on a member array could lose one. The unique index makes joins idempotent.
 */
@Schema({ collection: 'memberships', versionKey: false })
export class Membership {
  _id!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  conversationId!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  userId!: Types.ObjectId;

  @Prop({ type: Date, required: true })
  joinedAt!: Date;

  /**
   * Set when a role was given; absent, a group's creator is its owner and anyone else a member
   * (so documents from before roles need no migration).
   */
  @Prop({ type: String, enum: ['owner', 'admin', 'member'] })
  role?: MemberRole;
}

export type MembershipDocument = HydratedDocument<Membership>;
export const MembershipSchema = SchemaFactory.createForClass(Membership);
MembershipSchema.index({ conversationId: 1, userId: 1 }, { unique: true });
MembershipSchema.index({ userId: 1, conversationId: 1 });
