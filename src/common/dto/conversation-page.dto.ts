import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { decimalInteger } from '../validation/decimal-integer';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** A REST query for a page of a conversation (history, changes): its size. */
export abstract class PageQueryDto {
  /** 1–100, default 50; page on from the last returned item while `hasMore`. */
  @IsOptional()
  @Transform(decimalInteger)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  @ApiPropertyOptional({ type: 'integer' })
  limit?: number;
}

/** A socket request for a page of a conversation (`sync`, `changes`): what the two share. */
export abstract class ConversationPageDto {
  @IsString()
  @MaxLength(64)
  conversationId!: string;

  /** 1–100, default 50; page on from the last returned item while `hasMore`. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;
}
