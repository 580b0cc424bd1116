import { Expose, Transform } from 'class-transformer';
import type { WebhookDelivery, WebhookEventType } from '@nest-chat/protocol';
import { idFrom } from '../../common/serialize';

/** One delivery attempt, as `GET /api/apps/:id/deliveries` lists it. */
export class DeliveryDto implements WebhookDelivery<Date> {
  /** The event's `webhook-id`. */
  @Expose()
  eventId!: string;

  @Expose()
  type!: WebhookEventType;

  @Expose()
  @Transform(idFrom('conversationId'))
  conversationId!: string;

  /** 1 for the first try. */
  @Expose()
  attempt!: number;

  /** The receiver's HTTP status; null when none came. */
  @Expose()
  status!: number | null;

  @Expose()
  latencyMs!: number;

  /** Why it failed; null on a 2xx. */
  @Expose()
  error!: string | null;

  @Expose()
  at!: Date;
}
