import { UserDto } from './user.dto';
import type { AuthResult } from '@nest-chat/protocol';

export class AuthResultDto implements AuthResult<Date> {
  user!: UserDto;

  /** Send as `Authorization: Bearer <accessToken>`, or as `auth.token` on the socket handshake. */
  accessToken!: string;
}
