import { IsString, MaxLength } from 'class-validator';

export class CreateDirectDto {
  /** The other user. */
  @IsString()
  @MaxLength(64)
  userId!: string;
}
