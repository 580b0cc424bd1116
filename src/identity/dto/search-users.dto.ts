import { IsOptional, IsString, MaxLength } from 'class-validator';

export class SearchUsersDto {
  /** A username prefix, matched case-insensitively. */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  q?: string;
}
