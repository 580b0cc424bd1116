import { Injectable, Logger } from '@nestjs/common';
import type { Types } from 'mongoose';
import { MessagesRepository } from '../persistence/messages/messages.repository';
import { parseId } from '../common/object-id';
import { ChatBroadcaster } from '../realtime/chat-broadcaster';
import { MembershipsService } from './memberships.service';
import { ReadMarksRepository } from '../persistence/read-marks/read-marks.repository';

/** Read pointers: the highest read mark of a member, so they only ever move forward. */
@Injectable()
export class ReadPointersService {
  private readonly logger = new Logger(ReadPointersService.name);

  constructor(
    private readonly marks: ReadMarksRepository,
    private readonly messages: MessagesRepository,
    private readonly memberships: MembershipsService,
    private readonly broadcaster: ChatBroadcaster,
  ) {}

  get(conversationId: Types.ObjectId, userId: Types.ObjectId): Promise<number> {
    return this.marks.highest(conversationId, userId);
  }

  /**
   * Moves the member's pointer up to `seq` (capped at the latest message, so messages not yet
   * sent cannot be pre-read). A seq at or below the pointer changes nothing. When it moves, the
   * other members get `read`.
   */
  async markRead(conversationId: string, userId: string, seq: number): Promise<void> {
    const conversation = await this.memberships.requireMember(conversationId, userId);
    const user = parseId(userId, 'User');
    const [before, latest] = await Promise.all([
      this.get(conversation._id, user),
      this.messages.latestSeq(conversation._id),
    ]);
    const target = Math.min(seq, latest);
    if (target <= before) return;
    await this.marks.add(conversation._id, user, target);
    await this.prune(conversation._id, user, target);
    // Announce the stored pointer, not `target`: a racing higher mark may have won.
    const [pointer, others] = await Promise.all([
      this.get(conversation._id, user),
      this.memberships.otherMemberIds(conversation._id, user),
    ]);
    this.broadcaster.toUsers(others, 'read', {
      conversationId: conversation._id.toHexString(),
      userId: user.toHexString(),
      seq: pointer,
    });
  }

  /** Marks below the newest are history; dropping them cannot lower the pointer. */
  private async prune(conversationId: Types.ObjectId, userId: Types.ObjectId, seq: number) {
    try {
      await this.marks.pruneBelow(conversationId, userId, seq);
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not prune read marks');
    }
  }
}
