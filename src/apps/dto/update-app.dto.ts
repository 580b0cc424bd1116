import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { APP_SCOPES, type AppScope } from '../../persistence/apps/app.schema';
import { WebhookChangeDto } from './webhook-settings.dto';

/** Each field optional; `webhook: null` removes the endpoint. */
export class UpdateAppDto {
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(/\S/, { message: 'name must not be only whitespace' })
  name?: string;

  /** Changes what new keys may have; existing keys keep theirs until deleted. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(APP_SCOPES.length)
  @IsIn(APP_SCOPES, { each: true })
  scopes?: AppScope[];

  @ValidateIf((_dto, value) => value !== null && value !== undefined)
  @ValidateNested()
  @Type(() => WebhookChangeDto)
  webhook?: WebhookChangeDto | null;
}
