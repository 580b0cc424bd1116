import { IsString, MaxLength } from 'class-validator';
import type { LoginBody } from '@nest-chat/protocol';

export class LoginDto implements LoginBody {
  @IsString()
  @MaxLength(32)
  username!: string;

  @IsString()
  @MaxLength(128)
  password!: string;
}
