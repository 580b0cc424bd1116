import { IsString, MaxLength } from 'class-validator';

export class UserIdDto {
  /** A user: the other member of a direct conversation, or the member to add. */
  @IsString()
  @MaxLength(64)
  userId!: string;
}
