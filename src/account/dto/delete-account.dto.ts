import { IsString, MaxLength } from 'class-validator';
import type { DeleteAccountBody } from '@nest-chat/protocol';

/** `DELETE /api/users/me`: the password, asked again. */
export class DeleteAccountDto implements DeleteAccountBody {
  @IsString()
  @MaxLength(128)
  password!: string;
}
