import { IsString, MaxLength } from 'class-validator';
import { MessageBodyDto } from './send-message.dto';
import type { DeleteMessagePayload, EditMessagePayload } from '@nest-chat/protocol';

/** Socket `message:edit`. */
export class EditMessageDto extends MessageBodyDto implements EditMessagePayload {
  @IsString()
  @MaxLength(64)
  messageId!: string;
}

/** Socket `message:delete`. */
export class DeleteMessageDto implements DeleteMessagePayload {
  @IsString()
  @MaxLength(64)
  messageId!: string;
}
