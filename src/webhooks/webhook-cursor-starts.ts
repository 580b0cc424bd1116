import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { MembershipsService } from '../conversations/memberships.service';
import type { App } from '../persistence/apps/app.schema';
import { ChangesRepository } from '../persistence/changes/changes.repository';
import { ConversationsRepository } from '../persistence/conversations/conversations.repository';
import { MessagesRepository } from '../persistence/messages/messages.repository';
import type { WebhookCursor } from '../persistence/webhook-cursors/webhook-cursor.schema';
import {
  cursorKey,
  WebhookCursorsRepository,
} from '../persistence/webhook-cursors/webhook-cursors.repository';

/** Where a conversation's cursor starts for an app, and where a replay moves it back to. */
@Injectable()
export class WebhookCursorStarts {
  constructor(
    private readonly cursors: WebhookCursorsRepository,
    private readonly messages: MessagesRepository,
    private readonly changes: ChangesRepository,
    private readonly conversations: ConversationsRepository,
    private readonly memberships: MembershipsService,
  ) {}

  /**
   * A conversation's first cursor for the app: from the endpoint's start (for `member` scope,
   * from when the bot joined), or null when the app is not to hear of it.
   */
  async first(app: App, conversationId: Types.ObjectId): Promise<WebhookCursor | null> {
    const webhook = app.webhook!;
    const conversation = await this.conversations.findById(conversationId);
    if (!conversation) return null;
    let since = webhook.since;
    if (webhook.scope === 'member') {
      const roster = await this.memberships.roster(conversationId);
      const bot = roster.find((member) => member.userId.equals(app.botUserId));
      if (!bot) return null;
      if (bot.joinedAt > since) since = bot.joinedAt;
    }
    const [firstSeq, firstRev] = await Promise.all([
      this.messages.firstSeqSince(conversationId, since),
      this.changes.firstRevSince(conversationId, since),
    ]);
    return this.cursors.create({
      _id: cursorKey(app._id, conversationId),
      appId: app._id,
      conversationId,
      seq: firstSeq === null ? await this.messages.latestSeq(conversationId) : firstSeq - 1,
      rev: firstRev === null ? await this.changes.latestRev(conversationId) : firstRev - 1,
      created: conversation.createdAt < webhook.since,
      attempts: 0,
      dueAt: new Date(),
      generation: webhook.generation,
    });
  }

  /** The cursor moved back to just before the first event at or after `since`. */
  async rewound(
    cursor: WebhookCursor,
    since: Date,
  ): Promise<Pick<WebhookCursor, 'seq' | 'rev' | 'created'>> {
    const [seq, rev, conversation] = await Promise.all([
      this.messages.firstSeqSince(cursor.conversationId, since),
      this.changes.firstRevSince(cursor.conversationId, since),
      this.conversations.findById(cursor.conversationId),
    ]);
    return {
      seq: seq === null ? cursor.seq : Math.min(cursor.seq, seq - 1),
      rev: rev === null ? cursor.rev : Math.min(cursor.rev, rev - 1),
      created: cursor.created && !(conversation && conversation.createdAt >= since),
    };
  }
}
