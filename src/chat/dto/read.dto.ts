import { IsString, MaxLength } from 'class-validator';
import { MarkReadDto } from '../../conversations/dto/mark-read.dto';

/** Socket `read`: the REST body plus the conversation. */
export class ReadDto extends MarkReadDto {
  @IsString()
  @MaxLength(64)
  conversationId!: string;
}
