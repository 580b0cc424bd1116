import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { SyncPayload } from '@nest-chat/protocol';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export class SyncDto implements SyncPayload {
  @IsString()
  @MaxLength(64)
  conversationId!: string;

  /** The last seq the client holds (0 for none): every message after it is returned. */
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  afterSeq!: number;

  /** 1–100, default 50; page on with the last returned seq while `hasMore`. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;
}
