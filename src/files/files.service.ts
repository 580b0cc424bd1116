import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Types } from 'mongoose';
import { FileDto } from '../common/dto/file.dto';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { serialize } from '../common/serialize';
import type { FilesSettings } from './files.settings';
import { MembershipsService } from '../conversations/memberships.service';
import { isDuplicateKey } from '../database/is-duplicate-key';
import { UserRateLimiter } from '../rate-limit/user-rate-limiter';
import { FilesRepository } from '../persistence/files/files.repository';
import type { StoredFile } from '../persistence/files/stored-file.schema';
import type { StoredAttachment } from '../persistence/messages/message.schema';
import { MessagesRepository } from '../persistence/messages/messages.repository';
import { UploadLocksRepository } from '../persistence/upload-locks/upload-locks.repository';
import { sniffType } from './sniff-type';
import { FILE_STORAGE, type ByteRange, type FileStorage } from './storage/file-storage';
import { makeThumbnail, takesThumbnail } from './thumbnails';
import { receiveUpload } from './upload-receiver';

const NOT_FOUND = 'File not found';

/** A file to send: its record, and its bytes (all, or the range asked for). */
export interface OpenedFile {
  file: StoredFile;
  stream: Readable;
  range: ByteRange | null;
}

/** How long an upload waits for its turn at the quota, and how long a turn may last at most. */
const UPLOAD_TURN_WAIT_MS = 5_000;
const UPLOAD_TURN_HOLD_MS = 10_000;

/**
 * Uploads (streamed into the file storage, sized, hashed and sniffed on the way, idempotent per
 * Idempotency-Key), downloads for those who may read a file, and the files a message carries.
 */
@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);
  private readonly maxBytes: number;
  private readonly quotaBytes: number;

  constructor(
    private readonly files: FilesRepository,
    private readonly locks: UploadLocksRepository,
    private readonly messages: MessagesRepository,
    private readonly memberships: MembershipsService,
    private readonly rateLimiter: UserRateLimiter,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    config: ConfigService<FilesSettings, true>,
  ) {
    this.maxBytes = config.get('FILE_MAX_BYTES', { infer: true });
    this.quotaBytes = config.get('FILE_QUOTA_BYTES', { infer: true });
  }

  /**
   * Stores the request's file for `userId`. The same Idempotency-Key again returns the same file
   * (a retry after a lost answer, or after a failure half-way, which it takes over).
   */
  async upload(
    userId: string,
    request: IncomingMessage,
    idempotencyKey: string | undefined,
  ): Promise<{ file: FileDto; replayed: boolean }> {
    const uploaderId = parseId(userId, 'User');
    await this.rateLimiter.consume(userId, 'uploads', 'rest');
    const previous = idempotencyKey ? await this.files.findByKey(uploaderId, idempotencyKey) : null;
    if (previous?.status === 'ready') return { file: this.view(previous), replayed: true };
    // Room is reserved before the first byte, one upload of the user's at a time, so uploads at
    // once cannot each see the whole of what is left; what the file does not take comes back.
    const declared = Number(request.headers['content-length']);
    const wanted = Number.isSafeInteger(declared) && declared > 0 ? declared : this.maxBytes;
    const sink = this.storage.create('upload');
    const id = previous?._id ?? new Types.ObjectId();
    let room: number;
    let reserved: number;
    try {
      ({ room, reserved } = await this.inTurn(uploaderId, async () => {
        // A retry of an unfinished try takes its place, and the room that one holds.
        const held = previous ? (previous.reserved ?? previous.size) : 0;
        const free = this.quotaBytes - (await this.files.usedBy(uploaderId)) + held;
        if (free <= 0) throw this.overQuota();
        const taken = Math.min(this.maxBytes, wanted, free);
        if (previous) {
          if (!(await this.files.restart(id, previous.storageKey, sink.key, taken))) {
            throw new AppError('CONFLICT', 'That upload changed meanwhile; retry it');
          }
        } else {
          await this.files.begin({
            _id: id,
            uploaderId,
            idempotencyKey: idempotencyKey ?? `own:${id.toHexString()}`,
            storageKey: sink.key,
            name: 'file',
            createdAt: new Date(),
            reserved: taken,
          });
        }
        return { room: free, reserved: taken };
      }));
      // The earlier try's bytes go (its record is this one's now).
      if (previous) await this.storage.remove(previous.storageKey).catch(() => undefined);
    } catch (error) {
      await sink.abort().catch(() => undefined);
      if (isDuplicateKey(error)) {
        throw new AppError(
          'CONFLICT',
          'An upload with this Idempotency-Key is under way; retry it',
        );
      }
      throw error;
    }
    const tooLarge = () =>
      room < Math.min(this.maxBytes, wanted)
        ? this.overQuota()
        : new AppError('PAYLOAD_TOO_LARGE', `A file may be at most ${this.maxBytes} bytes`);

    let thumbnailKey: string | null = null;
    try {
      const received = await receiveUpload(request, sink, reserved, tooLarge);
      const contentType = await sniffType(received.head);
      const thumbnail = takesThumbnail(contentType, received.size)
        ? await this.thumbnailOf(sink.key)
        : null;
      thumbnailKey = thumbnail?.key ?? null;
      const content = {
        name: received.name,
        contentType,
        size: received.size,
        sha256: received.sha256,
        width: thumbnail?.width ?? null,
        height: thumbnail?.height ?? null,
        thumbnailKey,
      };
      if (!(await this.files.finish(id, sink.key, content))) {
        throw new AppError('CONFLICT', 'That upload was retried meanwhile');
      }
      const stored = await this.files.findById(id);
      if (!stored) throw new AppError('CONFLICT', 'That upload was retried meanwhile');
      return { file: this.view(stored), replayed: false };
    } catch (error) {
      // Nothing is left behind: neither the bytes so far nor the record (unless the database is
      // away: the sweep removes both later).
      await sink.abort().catch(() => undefined);
      if (thumbnailKey) await this.storage.remove(thumbnailKey).catch(() => undefined);
      // Its room goes back with its record (a record left behind gives it back when swept).
      await this.files.removeFailedUpload(id, sink.key).catch(() => undefined);
      throw error;
    }
  }

  /** The file's record, for those who may read it (404 for anyone else, as for no such file). */
  async find(userId: string, fileId: string): Promise<StoredFile> {
    const file = await this.files.findById(parseId(fileId, 'File'));
    if (!file || file.status !== 'ready' || !(await this.mayRead(userId, file))) {
      throw new AppError('NOT_FOUND', NOT_FOUND);
    }
    return file;
  }

  /** The file's bytes (or a range of them). */
  open(file: StoredFile, range: ByteRange | null): Readable {
    return this.storage.read(file.storageKey, range ?? undefined);
  }

  /**
   * Opens the thumbnail's bytes when called: NOT_FOUND at once for a file without one, and nothing
   * read for an answer that sends no bytes (304, HEAD).
   */
  thumbnailReader(file: StoredFile): () => Readable {
    const key = file.thumbnailKey;
    if (!key) throw new AppError('NOT_FOUND', 'This file has no thumbnail');
    return () => this.storage.read(key);
  }

  /**
   * The files a message of `userId` will carry: their own ready uploads (any other id is
   * NOT_FOUND), marked as attached so the orphan sweep leaves them.
   */
  async attachable(userId: string, fileIds: readonly string[]): Promise<StoredAttachment[]> {
    if (fileIds.length === 0) return [];
    const ids = [...new Set(fileIds)].map((id) => parseId(id, 'File'));
    const uploader = parseId(userId, 'User');
    const found = await this.files.ownReady(uploader, ids);
    if (found.length !== ids.length) throw new AppError('NOT_FOUND', 'Attachment not found');
    await this.files.attach(ids, new Date());
    // The orphan sweep may have claimed one between the read and the mark: it is going.
    if ((await this.files.ownReady(uploader, ids)).length !== ids.length) {
      throw new AppError('NOT_FOUND', 'Attachment not found');
    }
    const byId = new Map(found.map((file) => [file._id.toHexString(), file]));
    return ids.map((id) => {
      const file = byId.get(id.toHexString()) as StoredFile;
      return {
        id: file._id,
        name: file.name,
        contentType: file.contentType,
        size: file.size,
        sha256: file.sha256,
        width: file.width,
        height: file.height,
        createdAt: file.createdAt,
        uploaderId: file.uploaderId,
      };
    });
  }

  private view(file: StoredFile): FileDto {
    return serialize(FileDto, file);
  }

  /** The uploader, and the members of a conversation with a message that carries the file. */
  private async mayRead(userId: string, file: StoredFile): Promise<boolean> {
    if (file.uploaderId.toHexString() === userId) return true;
    const user = parseId(userId, 'User');
    for (const conversationId of await this.messages.conversationsCarrying(file._id)) {
      if (await this.memberships.isMember(conversationId, user)) return true;
    }
    return false;
  }

  /** Reads the stored image back for its size and thumbnail (stored too), once. */
  private async thumbnailOf(
    key: string,
  ): Promise<{ width: number; height: number; key: string } | null> {
    const made = await makeThumbnail(this.storage.read(key));
    if (!made) return null;
    const sink = this.storage.create('thumbnail');
    try {
      await new Promise<void>((resolve, reject) => {
        sink.stream.once('error', reject);
        sink.stream.end(made.bytes, () => resolve());
      });
    } catch (error) {
      await sink.abort().catch(() => undefined);
      this.logger.warn({ err: error }, 'Could not store a thumbnail; the file has none');
      return null;
    }
    return { width: made.width, height: made.height, key: sink.key };
  }

  /**
   * Runs `work` holding the uploader's upload lock: a few milliseconds, the quota's sum and the
   * file's record. Uploads at once wait their turn, up to UPLOAD_TURN_WAIT_MS.
   */
  private async inTurn<T>(uploaderId: Types.ObjectId, work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + UPLOAD_TURN_WAIT_MS;
    for (;;) {
      const now = new Date();
      const until = new Date(now.getTime() + UPLOAD_TURN_HOLD_MS);
      if (await this.locks.take(uploaderId, until, now)) {
        try {
          return await work();
        } finally {
          await this.locks.give(uploaderId, until).catch(() => undefined);
        }
      }
      if (Date.now() > deadline) {
        throw new AppError('UNAVAILABLE', 'Too many of your uploads are starting at once; retry');
      }
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
  }

  /**
   * A deleted message carried these: each that no other message carries is an orphan again,
   * which the sweep deletes (and its bytes come off the uploader's quota).
   */
  async released(fileIds: readonly Types.ObjectId[]): Promise<void> {
    const orphans: Types.ObjectId[] = [];
    for (const id of fileIds) {
      if ((await this.messages.conversationsCarrying(id)).length === 0) orphans.push(id);
    }
    if (orphans.length > 0) await this.files.detach(orphans);
  }

  private overQuota(): AppError {
    return new AppError(
      'PAYLOAD_TOO_LARGE',
      `Your files may take at most ${this.quotaBytes} bytes together; delete some first`,
    );
  }
}
