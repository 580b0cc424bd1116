import type { CreateAppBody } from '@nest-chat/protocol';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { APP_SCOPES, type AppScope } from '../../persistence/apps/app.schema';
import { WebhookSettingsDto } from './webhook-settings.dto';

export class CreateAppDto implements CreateAppBody {
  /** 1–64 characters, not only whitespace; its bot's username is made from it. */
  @IsString()
  @Length(1, 64)
  @Matches(/\S/, { message: 'name must not be only whitespace' })
  name!: string;

  /** What its keys may do; absent: all four. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(APP_SCOPES.length)
  @IsIn(APP_SCOPES, { each: true })
  scopes?: AppScope[];

  @IsOptional()
  @ValidateNested()
  @Type(() => WebhookSettingsDto)
  webhook?: WebhookSettingsDto;
}
