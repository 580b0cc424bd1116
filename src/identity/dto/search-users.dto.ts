import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { SearchUsersQuery } from '@nest-chat/protocol';

export class SearchUsersDto implements SearchUsersQuery {
  /** A username prefix, matched case-insensitively. */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  q?: string;
}
