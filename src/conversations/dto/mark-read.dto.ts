import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import type { MarkReadBody } from '@nest-chat/protocol';

export class MarkReadDto implements MarkReadBody {
  /** The highest seq the user has read. Lower than the current pointer: no change. */
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  @ApiProperty({ type: 'integer' })
  seq!: number;
}
