import { finished, type Readable, type Writable } from 'node:stream';

/**
 * Bytes being written under a new key: `stream` takes them; `abort()` lets the writes under way
 * land and then removes all that was written (so nothing is left behind, even mid-chunk).
 */
export interface StorageSink {
  key: string;
  stream: Writable;
  abort(): Promise<void>;
}

/** Resolves once `stream` has finished (ending it if needed), failed or been destroyed. */
export function settled(stream: Writable): Promise<void> {
  if (stream.writableFinished || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    finished(stream, () => resolve());
    if (!stream.writableEnded) stream.end();
  });
}

/** An inclusive byte range. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where file bytes live, behind the files' metadata (the `files` collection). Streams only: no
 * file is ever held whole in memory. GridFS is the default; a local directory serves one process;
 * an S3-compatible store would be a third implementation, with no change to the callers.
 */
export interface FileStorage {
  /** A sink for new bytes (`name` is informative only). */
  create(name: string): StorageSink;
  /** The stored bytes, or the given range of them. */
  read(key: string, range?: ByteRange): Readable;
  /** Removes the bytes; removing what is not there is not an error. */
  remove(key: string): Promise<void>;
}

export const FILE_STORAGE = Symbol('FileStorage');
