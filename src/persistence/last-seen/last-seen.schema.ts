import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';

/**
 * When a user's first socket last connected or last socket last left (presence). Kept apart from
 * the user: it is written on every connect, and FerretDB v1 applies updates as unisolated
 * read-modify-writes, so a write in place on the user document could undo a deletion or a role
 * change that landed between its read and its write.
 */
@Schema({ collection: 'last_seen', versionKey: false })
export class LastSeen {
  /** The user. */
  _id!: Types.ObjectId;

  @Prop({ type: Date, required: true })
  at!: Date;
}

export type LastSeenDocument = HydratedDocument<LastSeen>;
export const LastSeenSchema = SchemaFactory.createForClass(LastSeen);
