import { ApiProperty } from '@nestjs/swagger';
import { Expose } from 'class-transformer';
import type { ReadReceipt } from '@nest-chat/protocol';

/** A member's pointers: read up to `seq` (at `at`), holding every message up to `deliveredSeq`. */
export class ReadReceiptDto implements ReadReceipt<Date> {
  @Expose()
  userId!: string;
  /** 0 if never read. */
  @Expose()
  @ApiProperty({ type: 'integer' })
  seq!: number;
  /** When the read pointer last moved; null if never read. */
  @Expose()
  at!: Date | null;
  /** 0 if the member's clients never said they hold any. */
  @Expose()
  @ApiProperty({ type: 'integer' })
  deliveredSeq!: number;
}
