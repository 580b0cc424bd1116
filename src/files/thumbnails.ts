import type { Readable } from 'node:stream';
import sharp from 'sharp';

export const THUMBNAIL_PX = 320;
/** Images larger than this get no thumbnail (sharp reads a whole image into memory to decode it). */
const MAX_SOURCE_BYTES = 25 * 1024 * 1024;
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export interface Thumbnail {
  width: number;
  height: number;
  /** The thumbnail as WebP, at most 320 px on its longer side. */
  bytes: Buffer;
}

/** Whether a file of this type and size gets a thumbnail. */
export const takesThumbnail = (contentType: string, size: number): boolean =>
  IMAGE_TYPES.has(contentType) && size <= MAX_SOURCE_BYTES;

/**
 * The image's size and a thumbnail of it (sharp, EXIF orientation applied), or null when it is
 * not a decodable image: the file is kept all the same, without one.
 */
export async function makeThumbnail(source: Readable): Promise<Thumbnail | null> {
  try {
    const image = sharp({ failOn: 'error', limitInputPixels: 100_000_000 });
    source.pipe(image);
    const decoded = image.clone().rotate();
    const [{ width, height, orientation }, bytes] = await Promise.all([
      image.metadata(),
      decoded
        .resize(THUMBNAIL_PX, THUMBNAIL_PX, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer(),
    ]);
    if (!width || !height) return null;
    // Orientations 5–8 swap the sides the viewer sees.
    const swapped = (orientation ?? 1) >= 5;
    return { width: swapped ? height : width, height: swapped ? width : height, bytes };
  } catch {
    return null;
  }
}
