import { Injectable } from '@nestjs/common';
import { parseId } from '../../common/object-id';
import { MembershipsService } from '../../conversations/memberships.service';
import { AuthenticatedUser } from '../../identity/authenticated-user';
import { BlocksService } from '../../identity/blocks.service';
import { ChatBroadcaster } from '../../realtime/chat-broadcaster';

/** Relays typing indicators to a conversation's other members; nothing is stored. */
@Injectable()
export class TypingService {
  constructor(
    private readonly memberships: MembershipsService,
    private readonly broadcaster: ChatBroadcaster,
    private readonly blocks: BlocksService,
  ) {}

  async relay(user: AuthenticatedUser, conversationId: string, typing: boolean): Promise<void> {
    const conversation = await this.memberships.requireMember(conversationId, user.id);
    const others = await this.memberships.otherMemberIds(
      conversation._id,
      parseId(user.id, 'User'),
    );
    // Whoever blocked the typist does not hear them type.
    const hiding = await this.blocks.blockersAmong(user.id, others);
    this.broadcaster.toUsers(
      others.filter((id) => !hiding.has(id)),
      'typing',
      {
        conversationId: conversation._id.toHexString(),
        userId: user.id,
        typing,
      },
    );
  }
}
