import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Types } from 'mongoose';
import type { Conversation } from '../persistence/conversations/conversation.schema';
import { ChatBroadcaster } from '../realtime/chat-broadcaster';
import { MembersJoined } from '../realtime/membership-events';
import { ConversationViews } from './conversation-views';

/** Tells users they are in a conversation now (created, or added to a group). */
@Injectable()
export class ConversationAnnouncer {
  constructor(
    private readonly views: ConversationViews,
    private readonly broadcaster: ChatBroadcaster,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * `conversation:new` to each of `userIds`, as that user sees the conversation; then the members
   * who now share a conversation learn each other's presence.
   */
  async announce(conversation: Conversation, userIds: Types.ObjectId[]): Promise<void> {
    const joined = userIds.map((id) => id.toHexString());
    const views = await Promise.all(joined.map((userId) => this.views.view(conversation, userId)));
    views.forEach((view, i) => this.broadcaster.toUsers([joined[i]], 'conversation:new', view));
    this.events.emit(MembersJoined.event, new MembersJoined(joined, views[0]?.memberIds ?? joined));
  }
}
