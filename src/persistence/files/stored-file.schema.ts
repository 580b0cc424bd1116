import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';

/** `deleting`: claimed by the orphan sweep, its bytes being removed (never served again). */
export type StoredFileStatus = 'uploading' | 'ready' | 'deleting';

/**
 * One uploaded file: what it is and where its bytes are (`storageKey`, in the configured file
 * storage). Written as `uploading` before the first byte is stored, so a retry under the same
 * Idempotency-Key finds it, and an upload that never finished is swept with its bytes.
 */
@Schema({ collection: 'files', versionKey: false })
export class StoredFile {
  _id!: Types.ObjectId;

  @Prop({ type: Types.ObjectId, required: true })
  uploaderId!: Types.ObjectId;

  /** The client's Idempotency-Key, or the file's own id when it sent none (unique per uploader). */
  @Prop({ required: true })
  idempotencyKey!: string;

  @Prop({ required: true, enum: ['uploading', 'ready', 'deleting'] })
  status!: StoredFileStatus;

  /** Where the bytes are in the file storage. */
  @Prop({ required: true })
  storageKey!: string;

  /** The thumbnail's bytes (images only), made once at upload. */
  @Prop({ type: String, default: null })
  thumbnailKey!: string | null;

  /** The name the client gave, cut to 255 characters. */
  @Prop({ required: true })
  name!: string;

  /** Sniffed from the bytes, never taken from the client. */
  @Prop({ required: true })
  contentType!: string;

  @Prop({ required: true })
  size!: number;

  /**
   * The bytes counted against the uploader's quota for it: what its upload reserved while under
   * way, its size once ready. Absent on files from before quotas were counted (then: `size`).
   */
  @Prop({ type: Number })
  reserved?: number;

  @Prop({ required: true })
  sha256!: string;

  @Prop({ type: Number, default: null })
  width!: number | null;

  @Prop({ type: Number, default: null })
  height!: number | null;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  /** When a message first carried it; null: an orphan, deleted after FILE_ORPHAN_HOURS. */
  @Prop({ type: Date, default: null })
  attachedAt!: Date | null;
}

export type StoredFileDocument = HydratedDocument<StoredFile>;
export const StoredFileSchema = SchemaFactory.createForClass(StoredFile);
StoredFileSchema.index({ uploaderId: 1, idempotencyKey: 1 }, { unique: true });
StoredFileSchema.index({ attachedAt: 1, createdAt: 1 });
