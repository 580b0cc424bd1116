import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { decimalInteger } from '../../common/validation/decimal-integer';
import { IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import type { ListConversationsQuery } from '@nest-chat/protocol';

export class ListConversationsDto implements ListConversationsQuery {
  /** 1–100, default 50. */
  @IsOptional()
  @Transform(decimalInteger)
  @IsInt()
  @Min(1)
  @Max(100)
  @ApiPropertyOptional({ type: 'integer' })
  limit?: number;

  /** ISO-8601 time: only conversations whose latest activity is strictly earlier (next page). */
  @IsOptional()
  @IsISO8601({ strict: true })
  before?: string;
}
