import {
  ArrayMaxSize,
  IsArray,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';
import type { MessageBody, PostMessageBody } from '@nest-chat/protocol';
import { CompiledSchema } from '../../common/validation/compiled-schema';

export const MAX_BODY_LENGTH = 4000;
export const MAX_ATTACHMENTS = 10;

/** Message text: 1–4000 characters, not only whitespace. */
export class MessageBodyDto implements MessageBody {
  @IsString()
  @Length(1, MAX_BODY_LENGTH)
  @Matches(/\S/, { message: 'body must not be only whitespace' })
  body!: string;
}

/** REST send: the conversation is in the path. */
export class PostMessageDto implements PostMessageBody {
  /** Up to 4000 characters, not only whitespace; may be empty when the message has attachments. */
  @IsString()
  @MaxLength(MAX_BODY_LENGTH)
  @ValidateBy({
    name: 'bodyOrAttachments',
    validator: {
      validate: (value: unknown, { object }: ValidationArguments) =>
        ((object as PostMessageDto).attachments?.length ?? 0) > 0 ||
        (typeof value === 'string' && /\S/.test(value)),
      defaultMessage: () =>
        'body must not be empty or only whitespace, unless the message has attachments',
    },
  })
  body!: string;

  /** Ids of files the sender uploaded (POST /api/files), at most 10. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ATTACHMENTS)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  attachments?: string[];

  /** Up to 64 characters; a resend with the same value from the same sender is not stored twice. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  clientMsgId?: string;

  /** A message of the same conversation that this one answers (404 if there is none). */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  replyToId?: string;
}

const id = { type: 'string', maxLength: 64 };

/**
 * Socket send: into `conversationId`, or a direct message `to` a user (exactly one of them).
 * The compiled schema takes the common case (a body with text); anything else, such as a message
 * of attachments only, is checked by the rules below.
 */
@CompiledSchema({
  type: 'object',
  properties: {
    conversationId: id,
    to: id,
    body: { type: 'string', maxLength: MAX_BODY_LENGTH, pattern: '\\S' },
    attachments: { type: 'array', maxItems: MAX_ATTACHMENTS, items: id },
    clientMsgId: { type: 'string', minLength: 1, maxLength: 64 },
    replyToId: id,
  },
  required: ['body'],
  anyOf: [{ required: ['conversationId'] }, { required: ['to'] }],
  additionalProperties: false,
})
export class SendMessageDto extends PostMessageDto {
  @ValidateIf((dto: SendMessageDto) => dto.to === undefined)
  @IsString({ message: 'conversationId or to is required' })
  @MaxLength(64)
  conversationId?: string;

  @ValidateIf((dto: SendMessageDto) => dto.conversationId === undefined || dto.to !== undefined)
  @IsString()
  @MaxLength(64)
  to?: string;
}
