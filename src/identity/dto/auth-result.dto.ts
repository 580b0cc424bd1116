import { UserDto } from './user.dto';
import type { AuthResult } from '@nest-chat/protocol';

export class AuthResultDto implements AuthResult<Date> {
  user!: UserDto;

  /** Send as `Authorization: Bearer <accessToken>`, or as `auth.token` on the socket handshake. */
  accessToken!: string;

  /** Spent by `POST /api/auth/refresh` for the next pair (each refresh token works once). */
  refreshToken!: string;

  /** The access token's lifetime in seconds. */
  expiresIn!: number;
}
