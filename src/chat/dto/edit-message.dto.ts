import { IsString, MaxLength } from 'class-validator';
import { MessageBodyDto } from './send-message.dto';

/** Socket `message:edit`. */
export class EditMessageDto extends MessageBodyDto {
  @IsString()
  @MaxLength(64)
  messageId!: string;
}

/** Socket `message:delete`. */
export class DeleteMessageDto {
  @IsString()
  @MaxLength(64)
  messageId!: string;
}
