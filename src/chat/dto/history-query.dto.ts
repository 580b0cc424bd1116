import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { decimalInteger } from '../../common/validation/decimal-integer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../common/dto/conversation-page.dto';
import type { HistoryQuery } from '@nest-chat/protocol';

export class HistoryQueryDto extends PageQueryDto implements HistoryQuery {
  /** Older page: messages with seq below this, the newest of them. */
  @IsOptional()
  @Transform(decimalInteger)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  @ApiPropertyOptional({ type: 'integer' })
  beforeSeq?: number;

  /** Newer page: messages with seq above this, the oldest of them. */
  @IsOptional()
  @Transform(decimalInteger)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  @ApiPropertyOptional({ type: 'integer' })
  afterSeq?: number;
}
