import { IsBoolean, IsString, MaxLength } from 'class-validator';

export class TypingDto {
  @IsString()
  @MaxLength(64)
  conversationId!: string;

  @IsBoolean()
  typing!: boolean;
}
