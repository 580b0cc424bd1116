import { IsString, MaxLength } from 'class-validator';
import type { AuthRefreshPayload } from '@nest-chat/protocol';

/** `auth:refresh`: a fresh access token for a socket whose own is about to run out. */
export class AuthRefreshDto implements AuthRefreshPayload {
  @IsString()
  @MaxLength(4096)
  accessToken!: string;
}
