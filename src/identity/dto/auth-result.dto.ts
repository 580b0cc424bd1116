import { UserDto } from './user.dto';

export class AuthResultDto {
  user!: UserDto;

  /** Send as `Authorization: Bearer <accessToken>`, or as `auth.token` on the socket handshake. */
  accessToken!: string;
}
