import { IsString, MaxLength } from 'class-validator';
import type { UserIdBody } from '@nest-chat/protocol';

export class UserIdDto implements UserIdBody {
  /** A user: the other member of a direct conversation, or the member to add. */
  @IsString()
  @MaxLength(64)
  userId!: string;
}
