import { IsInt, Min } from 'class-validator';

export class MarkReadDto {
  /** The highest seq the user has read. Lower than the current pointer: no change. */
  @IsInt()
  @Min(0)
  seq!: number;
}
