import { Expose, Transform, Type } from 'class-transformer';
import { idFrom } from '../../common/serialize';
import type {
  App,
  AppKey,
  CreatedApp,
  CreatedKey,
  WebhookEndpoint,
  WebhookEventType,
} from '@nest-chat/protocol';
import type { AppScope, WebhookScope, WebhookStatus } from '../../persistence/apps/app.schema';

/** An app's endpoint as shown (never its secret). */
export class WebhookEndpointDto implements WebhookEndpoint {
  @Expose()
  url!: string;

  /** Event types sent; every type when the app chose none. */
  @Expose()
  events!: WebhookEventType[];

  @Expose()
  scope!: WebhookScope;

  @Expose()
  status!: WebhookStatus;

  /** Why it was disabled (the last failed delivery); absent while active. */
  @Expose()
  @Transform(({ value }: { value: unknown }) => value ?? undefined)
  disabledReason?: string;
}

/** One API key as shown: its id (the key's public part) and scopes, never the key. */
export class AppKeyDto implements AppKey<Date> {
  @Expose()
  @Transform(idFrom('_id'))
  id!: string;

  @Expose()
  scopes!: AppScope[];

  @Expose()
  createdAt!: Date;
}

export class AppDto implements App<Date> {
  @Expose()
  @Transform(idFrom('_id'))
  id!: string;

  @Expose()
  name!: string;

  /** The app's bot user (`bot: true`): what its keys act as. */
  @Expose()
  @Transform(idFrom('botUserId'))
  botUserId!: string;

  @Expose()
  scopes!: AppScope[];

  @Expose()
  createdAt!: Date;

  @Expose()
  @Type(() => WebhookEndpointDto)
  @Transform(({ value }: { value: unknown }) => value ?? undefined)
  webhook?: WebhookEndpointDto;

  @Expose()
  @Type(() => AppKeyDto)
  keys!: AppKeyDto[];
}

/** An app just made, or whose endpoint was just set: the key and secret are shown this once. */
export class CreatedAppDto implements CreatedApp<Date> {
  app!: AppDto;

  /** `chk_…`: present when the app was created. */
  key?: string;

  /** `whsec_…`: present when an endpoint was set for the first time. */
  webhookSecret?: string;
}

export class CreatedKeyDto extends AppKeyDto implements CreatedKey<Date> {
  /** `chk_…`, shown this once. */
  key!: string;
}
