import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import busboy from 'busboy';
import { AppError } from '../common/errors/app-error';
import { SNIFF_BYTES } from './sniff-type';
import type { StorageSink } from './storage/file-storage';

export interface ReceivedFile {
  name: string;
  size: number;
  sha256: string;
  /** The first bytes, for sniffing the type. */
  head: Buffer;
}

const NAME_CHARS = 255;
const ONE_PART = 'Send the file as multipart/form-data with exactly one part, named "file"';

/** Counts, hashes and keeps the first bytes of what passes through, unchanged. */
class Meter extends Transform {
  size = 0;
  private readonly hash = createHash('sha256');
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    this.hash.update(chunk);
    if (this.headLength < SNIFF_BYTES) {
      const part = chunk.subarray(0, SNIFF_BYTES - this.headLength);
      this.headChunks.push(Buffer.from(part));
      this.headLength += part.length;
    }
    done(null, chunk);
  }

  get head(): Buffer {
    return Buffer.concat(this.headChunks);
  }

  get sha256(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Streams the request's one `file` part into `sink` as it arrives, never holding it whole:
 * PAYLOAD_TOO_LARGE the moment it passes `maxBytes` (the caller then aborts the sink, so
 * nothing is left behind), VALIDATION_FAILED for anything but one part named `file`.
 */
export function receiveUpload(
  request: IncomingMessage,
  sink: StorageSink,
  maxBytes: number,
  tooLarge: () => AppError,
): Promise<ReceivedFile> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: request.headers,
        limits: { files: 1, fileSize: maxBytes, fields: 0 },
      });
    } catch {
      reject(new AppError('VALIDATION_FAILED', ONE_PART));
      return;
    }
    let settled = false;
    let sawFile = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      request.unpipe(parser);
      reject(error);
    };
    parser.on('file', (field, stream, info) => {
      if (field !== 'file' || sawFile) {
        stream.resume();
        return fail(new AppError('VALIDATION_FAILED', ONE_PART));
      }
      sawFile = true;
      const meter = new Meter();
      // Piped, not pipelined: on a failure the sink is not destroyed under a write still under
      // way, but cut off here and left for its abort(), which lets that write land first.
      const cutOff = (error: Error): void => {
        stream.unpipe(meter);
        meter.unpipe(sink.stream);
        stream.resume();
        fail(error);
      };
      stream.on('limit', () => cutOff(tooLarge()));
      stream.on('error', cutOff);
      meter.on('error', cutOff);
      sink.stream.on('error', cutOff);
      sink.stream.on('finish', () => {
        if (stream.truncated) return fail(tooLarge());
        if (settled) return;
        settled = true;
        resolve({
          name: (info.filename || 'file').slice(0, NAME_CHARS),
          size: meter.size,
          sha256: meter.sha256,
          head: meter.head,
        });
      });
      stream.pipe(meter).pipe(sink.stream);
    });
    // (Busboy emits these on the first part past the limit: a second file, or any field.)
    for (const refusal of ['fieldsLimit', 'filesLimit'] as const) {
      parser.on(refusal, () => fail(new AppError('VALIDATION_FAILED', ONE_PART)));
    }
    parser.on('error', () => fail(new AppError('VALIDATION_FAILED', ONE_PART)));
    parser.on('close', () => {
      if (!sawFile) fail(new AppError('VALIDATION_FAILED', ONE_PART));
    });
    request.on('close', () => {
      if (!request.complete) fail(new AppError('VALIDATION_FAILED', 'The upload was cut off'));
    });
    request.pipe(parser);
  });
}
