import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { Setting } from '../config/setting';

/** The gate of the paged reads that may scan (history, sync, changes). */
export class PageReadsSettings {
  /** Pages of history and sync read from the database at once per process. */
  @Setting('history and sync pages read from the database at once per process', {
    allowed: '1–1000',
  })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  PAGE_READS_IN_FLIGHT = 4;

  /** Page reads that may wait for a turn; more are refused with UNAVAILABLE at once. */
  @Setting('page reads that may wait; more get `UNAVAILABLE` at once (a user holds an eighth)', {
    allowed: '0–100000',
  })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(100_000)
  PAGE_READS_QUEUED = 256;

  /** A page read that waited longer (its caller has timed out) is refused with UNAVAILABLE, ms. */
  @Setting('a page read that waited longer gets `UNAVAILABLE` instead of running', {
    allowed: '100–600000',
  })
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  PAGE_READ_WAIT_MS = 5_000;
}
