import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import type { RegisterBody } from '@nest-chat/protocol';

export class RegisterDto implements RegisterBody {
  /** 3–32 characters of `a-z 0-9 _ . -`; not `deleted-…`, the name a deleted account keeps. */
  @IsString()
  @Matches(/^[a-z0-9_.-]{3,32}$/, {
    message: 'username must be 3-32 characters of a-z, 0-9, "_", "." or "-"',
  })
  @Matches(/^(?!deleted-)/, { message: 'usernames starting with "deleted-" are reserved' })
  username!: string;

  /** 8–128 characters. */
  @IsString()
  @Length(8, 128)
  password!: string;

  /** At most 64 characters; defaults to the username. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  displayName?: string;
}
