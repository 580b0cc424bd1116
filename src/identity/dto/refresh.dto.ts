import { IsString, MaxLength } from 'class-validator';
import type { RefreshBody } from '@nest-chat/protocol';

export class RefreshDto implements RefreshBody {
  @IsString()
  @MaxLength(200)
  refreshToken!: string;
}
