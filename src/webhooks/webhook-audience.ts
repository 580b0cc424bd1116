import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { MembershipsService } from '../conversations/memberships.service';
import type { App } from '../persistence/apps/app.schema';
import type { WebhookEvent } from './webhook-event-source';

/** Which events an app's endpoint hears. */
@Injectable()
export class WebhookAudience {
  constructor(private readonly memberships: MembershipsService) {}

  /**
   * Whether the endpoint takes this event: its type chosen, and for `member` scope the bot in the
   * conversation now (or this is the bot leaving). A removed bot's app hears nothing more of it.
   */
  async takes(app: App, conversationId: Types.ObjectId, event: WebhookEvent): Promise<boolean> {
    const webhook = app.webhook!;
    if (!webhook.events.includes(event.type)) return false;
    if (webhook.scope === 'all') return true;
    if (event.type === 'member.left' && event.userId === app.botUserId.toHexString()) return true;
    return this.memberships.isMember(conversationId, app.botUserId);
  }
}
