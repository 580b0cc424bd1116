import { IsBoolean, IsString, MaxLength } from 'class-validator';
import type { TypingPayload } from '@nest-chat/protocol';

export class TypingDto implements TypingPayload {
  @IsString()
  @MaxLength(64)
  conversationId!: string;

  @IsBoolean()
  typing!: boolean;
}
