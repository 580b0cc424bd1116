import { IsString, MaxLength } from 'class-validator';
import { MarkReadDto } from '../../conversations/dto/mark-read.dto';
import type { ReadPayload } from '@nest-chat/protocol';

/** Socket `read`: the REST body plus the conversation. */
export class ReadDto extends MarkReadDto implements ReadPayload {
  @IsString()
  @MaxLength(64)
  conversationId!: string;
}
