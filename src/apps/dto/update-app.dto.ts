import { OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ValidateIf, ValidateNested } from 'class-validator';
import { CreateAppDto } from './create-app.dto';
import { WebhookChangeDto } from './webhook-settings.dto';

/**
 * Each field optional, validated as at creation; `scopes` changes what new keys may have
 * (existing keys keep theirs until deleted); `webhook: null` removes the endpoint.
 */
export class UpdateAppDto extends PartialType(OmitType(CreateAppDto, ['webhook'] as const)) {
  @ValidateIf((_dto, value) => value !== null && value !== undefined)
  @ValidateNested()
  @Type(() => WebhookChangeDto)
  webhook?: WebhookChangeDto | null;
}
