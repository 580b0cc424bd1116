import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_PAGE_SIZE } from './sync.dto';
import type { HistoryQuery } from '../../protocol/chat-protocol';

export class HistoryQueryDto implements HistoryQuery {
  /** 1–100, default 50. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  /** Older page: messages with seq below this, the newest of them. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  beforeSeq?: number;

  /** Newer page: messages with seq above this, the oldest of them. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  afterSeq?: number;
}
