import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted, Types } from 'mongoose';
import { StoredFile } from './stored-file.schema';

export type NewFile = Pick<
  StoredFile,
  '_id' | 'uploaderId' | 'idempotencyKey' | 'storageKey' | 'name' | 'createdAt'
> & { reserved: number };
export type FileContent = Pick<
  StoredFile,
  'name' | 'contentType' | 'size' | 'sha256' | 'width' | 'height' | 'thumbnailKey'
>;

/** The files collection (metadata; the bytes are the file storage's): the only class that touches it. */
@Injectable()
export class FilesRepository {
  constructor(@InjectModel(StoredFile.name) private readonly files: Model<StoredFile>) {}

  /** Records an upload about to start; a duplicate key when the uploader's key is taken. */
  async begin(file: NewFile): Promise<void> {
    await this.files.collection.insertOne({
      ...file,
      status: 'uploading',
      thumbnailKey: null,
      contentType: 'application/octet-stream',
      size: 0,
      sha256: '',
      width: null,
      height: null,
      attachedAt: null,
    });
  }

  findById(id: Types.ObjectId): Promise<StoredFile | null> {
    return this.files.findById(id).lean();
  }

  findByKey(uploaderId: Types.ObjectId, idempotencyKey: string): Promise<StoredFile | null> {
    return this.files.findOne({ uploaderId, idempotencyKey }).lean();
  }

  /**
   * Takes over an upload that never finished (its retry): new bytes at `storageKey`. False when
   * it finished meanwhile, or is gone.
   */
  async restart(
    id: Types.ObjectId,
    previousKey: string,
    storageKey: string,
    reserved: number,
  ): Promise<boolean> {
    const result = await this.files.updateOne(
      { _id: id, status: 'uploading', storageKey: previousKey },
      { $set: { storageKey, reserved, createdAt: new Date() } },
    );
    return result.modifiedCount > 0;
  }

  /** The bytes are stored: the file is ready. False when it was taken over or swept meanwhile. */
  async finish(id: Types.ObjectId, storageKey: string, content: FileContent): Promise<boolean> {
    const result = await this.files.updateOne(
      { _id: id, status: 'uploading', storageKey },
      { $set: { ...content, reserved: content.size, status: 'ready' } },
    );
    return result.modifiedCount > 0;
  }

  /** The bytes the uploader's files count against the quota: their size, or what an upload under way reserved. */
  async usedBy(uploaderId: Types.ObjectId): Promise<number> {
    const files = await this.files.find({ uploaderId }, { size: 1, reserved: 1 }).lean();
    return files.reduce((sum, file) => sum + (file.reserved ?? file.size), 0);
  }

  /** Of `ids`, the ready files `uploaderId` uploaded. */
  ownReady(uploaderId: Types.ObjectId, ids: Types.ObjectId[]): Promise<StoredFile[]> {
    return this.files.find({ _id: trusted({ $in: ids }), uploaderId, status: 'ready' }).lean();
  }

  /**
   * A message carries them now: no longer orphans. Only ready files are marked; one the sweep
   * claimed meanwhile stays `deleting`, which the caller checks for afterwards.
   */
  async attach(ids: Types.ObjectId[], at: Date): Promise<void> {
    await this.files.updateMany(
      { _id: trusted({ $in: ids }), status: 'ready', attachedAt: null },
      { $set: { attachedAt: at } },
    );
  }

  /**
   * Up to `limit` files never attached (or never finished) since before `cutoff`, and any whose
   * deletion was left half-way.
   */
  orphans(cutoff: Date, limit: number): Promise<StoredFile[]> {
    return this.files
      .find({ attachedAt: null, createdAt: trusted({ $lt: cutoff }) })
      .limit(limit)
      .lean();
  }

  /**
   * Marks the file `deleting` if it is still that orphan (a send may attach it meanwhile): from
   * then on it is neither served nor attachable. One claimed before (by a sweep that stopped
   * half-way) is claimed again, so its deletion is finished.
   */
  async claimOrphan(id: Types.ObjectId, storageKey: string): Promise<boolean> {
    const result = await this.files.updateOne(
      { _id: id, storageKey, attachedAt: null },
      { $set: { status: 'deleting' } },
    );
    return result.matchedCount > 0;
  }

  /** Deletes the record of an upload that failed, unless a retry took it over or a send took it. */
  async removeFailedUpload(id: Types.ObjectId, storageKey: string): Promise<void> {
    await this.files.deleteOne({ _id: id, storageKey, attachedAt: null });
  }

  /** Deletes a claimed file's record, once its bytes are gone. */
  async removeClaimed(id: Types.ObjectId): Promise<void> {
    await this.files.deleteOne({ _id: id, status: 'deleting' });
  }

  /**
   * A claimed orphan turned out to be carried by a message after all (it was attached as its
   * last carrier was deleted): it is kept, as attached.
   */
  async unclaim(id: Types.ObjectId, at: Date): Promise<void> {
    await this.files.updateOne(
      { _id: id, status: 'deleting' },
      { $set: { status: 'ready', attachedAt: at } },
    );
  }

  /** No message carries these any more: orphans again, for the sweep. */
  async detach(ids: Types.ObjectId[]): Promise<void> {
    await this.files.updateMany(
      { _id: trusted({ $in: ids }), status: 'ready' },
      { $set: { attachedAt: null } },
    );
  }
}
