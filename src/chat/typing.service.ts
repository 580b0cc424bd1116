import { Injectable } from '@nestjs/common';
import { parseId } from '../common/object-id';
import { MembershipsService } from '../conversations/memberships.service';
import { AuthenticatedUser } from '../identity/authenticated-user';
import { ChatBroadcaster } from '../realtime/chat-broadcaster';

/** Relays typing indicators to a conversation's other members; nothing is stored. */
@Injectable()
export class TypingService {
  constructor(
    private readonly memberships: MembershipsService,
    private readonly broadcaster: ChatBroadcaster,
  ) {}

  async relay(user: AuthenticatedUser, conversationId: string, typing: boolean): Promise<void> {
    const conversation = await this.memberships.requireMember(conversationId, user.id);
    const others = await this.memberships.otherMemberIds(
      conversation._id,
      parseId(user.id, 'User'),
    );
    this.broadcaster.toUsers(others, 'typing', {
      conversationId: conversation._id.toHexString(),
      userId: user.id,
      typing,
    });
  }
}
