import { PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../../webhooks/webhook-event-types';

/** An app's webhook endpoint, as given when it is set. */
export class WebhookSettingsDto {
  /** An http(s) URL; in production it must reach a public address (WEBHOOK_ALLOW_PRIVATE). */
  @IsString()
  @MaxLength(2048)
  url!: string;

  /** Event types to send; absent or empty: all. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events?: WebhookEventType[];

  /** `member` (default): conversations the app's bot is in; `all`: every conversation. */
  @IsOptional()
  @IsIn(['member', 'all'])
  scope?: 'member' | 'all';
}

/** A change to an app's endpoint: as when set, each field optional, and `status: active` re-enables it. */
export class WebhookChangeDto extends PartialType(WebhookSettingsDto) {
  /** `active` re-enables a disabled endpoint: delivery resumes where it stopped. */
  @IsOptional()
  @IsIn(['active'])
  status?: 'active';
}
