import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { ChangesPayload, ChangesQuery } from '@nest-chat/protocol';
import { decimalInteger } from '../../common/validation/decimal-integer';

export const DEFAULT_CHANGES_PAGE = 50;
export const MAX_CHANGES_PAGE = 100;

/** `GET /api/conversations/:id/changes`. */
export class ChangesQueryDto implements ChangesQuery {
  /** The highest rev the client holds (0 for none): every change after it is returned. */
  @Transform(decimalInteger)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  @ApiProperty({ type: 'integer' })
  afterRev!: number;

  /** 1–100, default 50; page on with the last returned rev while `hasMore`. */
  @IsOptional()
  @Transform(decimalInteger)
  @IsInt()
  @Min(1)
  @Max(MAX_CHANGES_PAGE)
  @ApiPropertyOptional({ type: 'integer' })
  limit?: number;
}

/** Socket `changes`: the same, with the conversation. */
export class ChangesDto implements ChangesPayload {
  @IsString()
  @MaxLength(64)
  conversationId!: string;

  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  afterRev!: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_CHANGES_PAGE)
  limit?: number;
}
