import { Injectable } from '@nestjs/common';
import type { MessageDto } from '../../common/dto/message.dto';
import { DrainService } from '../../common/drain.service';
import { AppError } from '../../common/errors/app-error';
import { parseId } from '../../common/object-id';
import { AuthenticatedUser } from '../../identity/authenticated-user';
import type { Message, StoredReactionSummary } from '../../persistence/messages/message.schema';
import { ReactionsRepository } from '../../persistence/reactions/reactions.repository';
import { MembershipsService } from '../../conversations/memberships.service';
import { MessageChanges } from '../edits/message-changes';

/** Distinct emoji one message may carry. */
export const MAX_DISTINCT_REACTIONS = 20;

const sameSummaries = (a: StoredReactionSummary[], b: StoredReactionSummary[]): boolean =>
  a.length === b.length &&
  a.every(
    (one, i) =>
      one.emoji === b[i].emoji &&
      one.count === b[i].count &&
      one.userIds.length === b[i].userIds.length &&
      one.userIds.every((id, j) => id.equals(b[i].userIds[j])),
  );

/**
 * Reactions: each user's emoji on a message is its own record (set and unset idempotently); the
 * message's counts are counted from the records and every change of them takes a rev (`reaction`).
 */
@Injectable()
export class ReactionsService {
  constructor(
    private readonly reactions: ReactionsRepository,
    private readonly changes: MessageChanges,
    private readonly memberships: MembershipsService,
    private readonly drain: DrainService,
  ) {}

  /**
   * Sets (`on`) or unsets the user's `emoji` on a message of one of their conversations. Setting
   * what is set, or unsetting what is not, changes nothing: no rev, no event.
   */
  react(
    user: AuthenticatedUser,
    messageId: string,
    emoji: string,
    on: boolean,
  ): Promise<MessageDto> {
    return this.drain.track(async () => {
      const message = await this.memberships.requireWritableMessage(messageId, user.id);
      const userId = parseId(user.id, 'User');
      let written: boolean | undefined;
      return this.changes.change(message, userId, 'reaction', async (current) => {
        // The record once (the first try at a rev); the counts on every try, read after the rev.
        written ??= on
          ? await this.add(current, userId, emoji)
          : await this.reactions.remove(current._id, userId, emoji);
        const reactions = await this.reactions.summarize(current._id);
        if (written && on && reactions.length > MAX_DISTINCT_REACTIONS) {
          // Another process added a new emoji at the same moment: the one that is new gives way.
          const mine = reactions.find((summary) => summary.emoji === emoji);
          if (mine?.count === 1) {
            await this.reactions.remove(current._id, userId, emoji);
            throw tooMany();
          }
        }
        return sameSummaries(reactions, current.reactions ?? []) ? null : { reactions };
      });
    });
  }

  /** False when the user had already set it. */
  private async add(
    message: Message,
    userId: Message['senderId'],
    emoji: string,
  ): Promise<boolean> {
    if (message.deletedAt) throw new AppError('CONFLICT', 'A deleted message takes no reactions');
    const present = (message.reactions ?? []).map((summary) => summary.emoji);
    if (!present.includes(emoji) && present.length >= MAX_DISTINCT_REACTIONS) throw tooMany();
    return this.reactions.add({
      messageId: message._id,
      conversationId: message.conversationId,
      userId,
      emoji,
      at: new Date(),
    });
  }
}

const tooMany = () =>
  new AppError(
    'CONFLICT',
    `A message takes at most ${MAX_DISTINCT_REACTIONS} different emoji; react with one it has`,
  );
