import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { ConversationsRepository } from '../persistence/conversations/conversations.repository';
import { MessagesRepository } from '../persistence/messages/messages.repository';
import { ChangeFeed } from './change-feed';
import { MANAGERS, MembershipsService } from './memberships.service';

/** Pinned messages one conversation may hold. */
export const MAX_PINS = 50;

/**
 * Pinning a message to its conversation: conversation state, so each pin or unpin takes a rev
 * (`pin`) through the change feed and reaches the members as `conversation:updated`.
 */
@Injectable()
export class PinsService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly memberships: MembershipsService,
    private readonly feed: ChangeFeed,
    private readonly messages: MessagesRepository,
  ) {}

  /**
   * A group's admins and owner pin and unpin; in a direct conversation, either member. Pinning
   * what is pinned, or unpinning what is not, changes nothing and takes no rev.
   */
  async pin(userId: string, messageId: string, on: boolean): Promise<void> {
    const actorId = parseId(userId, 'User');
    const message = await this.memberships.requireWritableMessage(messageId, userId);
    await this.memberships.requireRole(
      message.conversationId.toHexString(),
      userId,
      MANAGERS,
      'pin messages',
    );
    if (on && message.deletedAt)
      throw new AppError('CONFLICT', 'A deleted message cannot be pinned');
    const { conversationId, _id } = message;
    // The pin's change item copies the message: a delete from now on knows to erase it.
    await this.messages.markCopied(_id);
    await this.feed.record(
      conversationId,
      { kind: 'pin', actorId, messageId: _id, message },
      async () => {
        if (!on)
          return this.changed(conversationId, await this.conversations.unpin(conversationId, _id));
        const outcome = await this.conversations.pin(conversationId, _id, MAX_PINS);
        if (outcome === 'full') {
          throw new AppError(
            'CONFLICT',
            `A conversation holds at most ${MAX_PINS} pins; unpin one first`,
          );
        }
        return this.changed(conversationId, outcome === 'added');
      },
    );
  }

  /** The conversation's cached copies (here and in other processes) hold the old pins. */
  private changed(
    conversationId: Parameters<MembershipsService['forget']>[0],
    changed: boolean,
  ): boolean {
    if (changed) this.memberships.forget(conversationId);
    return changed;
  }
}
