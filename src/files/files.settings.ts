import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, Min } from 'class-validator';
import { Setting } from '../config/setting';

/** Uploads: sizes, quota, where the bytes go and when orphans go. */
export class FilesSettings {
  /** The largest file one may upload, bytes (25 MiB); more is cut off at the limit: 413. */
  @Setting('the largest upload; more is cut off at the limit (413) and nothing is kept', {
    allowed: '≥ 1',
    shownDefault: '`26214400` (25 MiB)',
  })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  FILE_MAX_BYTES = 25 * 1024 * 1024;

  /** What all of one user's files may take together, bytes (1 GiB). */
  @Setting("what one user's files may take together (413 past it)", {
    allowed: '≥ 1',
    shownDefault: '`1073741824` (1 GiB)',
  })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  FILE_QUOTA_BYTES = 1024 * 1024 * 1024;

  /** A file no message refers to this many hours after its upload is deleted (fractions allowed). */
  @Setting('a file no message carries this long after its upload is deleted', {
    allowed: '≥ 0 (fractions allowed)',
  })
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  FILE_ORPHAN_HOURS = 24;

  /** How often each process looks for orphaned files, seconds. */
  @Setting('how often each process looks for orphaned files', { allowed: '≥ 1' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  FILE_SWEEP_SECONDS = 600;

  /**
   * Where file bytes go: `gridfs` (in the database: several processes share it) or `local`
   * (a directory under DATA_DIR: one process only).
   */
  @Setting(
    'where file bytes go: the database (any number of processes) or `DATA_DIR/files` (one)',
    { allowed: '`gridfs` `local`', shownDefault: '`gridfs` (`local` on the embedded FerretDB)' },
  )
  @IsIn(['gridfs', 'local'])
  FILE_STORAGE: 'gridfs' | 'local' = 'gridfs';
}
