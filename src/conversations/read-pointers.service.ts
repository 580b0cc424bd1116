import { Injectable, Logger } from '@nestjs/common';
import type { Types } from 'mongoose';
import { MessagesRepository } from '../persistence/messages/messages.repository';
import { parseId } from '../common/object-id';
import { ChatBroadcaster } from '../realtime/chat-broadcaster';
import { MembershipsService } from './memberships.service';
import { DeliveryMarksRepository } from '../persistence/delivery-marks/delivery-marks.repository';
import type { PointerMarks } from '../persistence/pointer-marks';
import { ReadMarksRepository } from '../persistence/read-marks/read-marks.repository';
import { ReadReceiptDto } from './dto/read-receipt.dto';

/**
 * Each member's read and delivered pointers: the highest of their marks, so they only ever move
 * forward, and both survive a reload (`reads`).
 */
@Injectable()
export class ReadPointersService {
  private readonly logger = new Logger(ReadPointersService.name);

  constructor(
    private readonly readMarks: ReadMarksRepository,
    private readonly deliveryMarks: DeliveryMarksRepository,
    private readonly messages: MessagesRepository,
    private readonly memberships: MembershipsService,
    private readonly broadcaster: ChatBroadcaster,
  ) {}

  /**
   * Moves the member's read pointer up to `seq` (capped at the latest message, so messages not
   * yet sent cannot be pre-read). A seq at or below the pointer changes nothing. When it moves,
   * every socket of every member gets `read`, the reader's other sockets included.
   */
  async markRead(conversationId: string, userId: string, seq: number): Promise<void> {
    const moved = await this.move(this.readMarks, conversationId, userId, seq);
    if (!moved) return;
    const members = await this.memberships.memberIds(moved.conversationId);
    this.broadcaster.toUsers(
      members.map((id) => id.toHexString()),
      'read',
      moved.event,
    );
  }

  /**
   * Moves the member's delivered pointer (their clients hold every message up to `seq`) as
   * `markRead` does; the other members get `delivered`.
   */
  async markDelivered(conversationId: string, userId: string, seq: number): Promise<void> {
    const moved = await this.move(this.deliveryMarks, conversationId, userId, seq);
    if (!moved) return;
    const others = await this.memberships.otherMemberIds(
      moved.conversationId,
      parseId(userId, 'User'),
    );
    this.broadcaster.toUsers(others, 'delivered', moved.event);
  }

  /** Every member's pointers (0 and null where there are none). */
  async reads(conversationId: Types.ObjectId): Promise<ReadReceiptDto[]> {
    const [members, read, delivered] = await Promise.all([
      this.memberships.memberIds(conversationId),
      this.readMarks.pointersIn(conversationId),
      this.deliveryMarks.pointersIn(conversationId),
    ]);
    return members.map((member) => {
      const userId = member.toHexString();
      const pointer = read.get(userId);
      return {
        userId,
        seq: pointer?.seq ?? 0,
        at: pointer?.at ?? null,
        deliveredSeq: delivered.get(userId)?.seq ?? 0,
      };
    });
  }

  /** Records a higher mark if `seq` moves the pointer; the pointer as stored after, if it moved. */
  private async move(marks: PointerMarks, conversationId: string, userId: string, seq: number) {
    const conversation = await this.memberships.requireMember(conversationId, userId);
    const user = parseId(userId, 'User');
    const [before, latest] = await Promise.all([
      marks.highest(conversation._id, user),
      this.messages.latestSeq(conversation._id),
    ]);
    const target = Math.min(seq, latest);
    if (target <= before) return null;
    await marks.add(conversation._id, user, target);
    try {
      // Marks below the newest are history; dropping them cannot lower the pointer.
      await marks.pruneBelow(conversation._id, user, target);
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not prune pointer marks');
    }
    // Announce the stored pointer, not `target`: a racing higher mark may have won.
    const pointer = await marks.highest(conversation._id, user);
    return {
      conversationId: conversation._id,
      event: { conversationId: conversation._id.toHexString(), userId, seq: pointer },
    };
  }
}
