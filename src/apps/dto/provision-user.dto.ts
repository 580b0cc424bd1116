import type { ProvisionUserBody } from '@nest-chat/protocol';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** The host product's id for a user: 1–128 of `A-Z a-z 0-9 _ . : @ -`. */
export const EXTERNAL_ID = /^[A-Za-z0-9_.:@-]{1,128}$/;

export class ProvisionUserDto implements ProvisionUserBody {
  /** As at registration: 3–32 of `a-z 0-9 _ . -`. */
  @IsString()
  @Matches(/^[a-z0-9_.-]{3,32}$/, {
    message: 'username must be 3-32 characters of a-z, 0-9, "_", "." or "-"',
  })
  @Matches(/^(?!deleted-)/, { message: 'usernames starting with "deleted-" are reserved' })
  username!: string;

  /** At most 64 characters; defaults to the username. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  displayName?: string;
}
