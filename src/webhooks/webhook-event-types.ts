import type { ChangeKind } from '@nest-chat/protocol';

/** Every webhook event type, as the contract names them. */
export const WEBHOOK_EVENT_TYPES = [
  'message.created',
  'message.updated',
  'message.deleted',
  'reaction',
  'pin',
  'member.joined',
  'member.left',
  'member.role',
  'conversation.created',
  'conversation.updated',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A change-feed kind's event type (`message:updated` → `message.updated`). */
export const eventTypeOf = (kind: ChangeKind): WebhookEventType =>
  kind.replace(':', '.') as WebhookEventType;
