import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { Types } from 'mongoose';
import { MessagesRepository } from '../persistence/messages/messages.repository';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { ChatBroadcaster } from '../realtime/chat-broadcaster';
import { MembershipsService } from './memberships.service';
import { DeliveryMarksRepository } from '../persistence/delivery-marks/delivery-marks.repository';
import type { PointerMarks } from '../persistence/pointer-marks';
import { ReadMarksRepository } from '../persistence/read-marks/read-marks.repository';
import { ConversationsRepository } from '../persistence/conversations/conversations.repository';
import { ReadReceiptDto } from './dto/read-receipt.dto';

/** Members' delivered pointers waiting to be stored before more are refused as UNAVAILABLE. */
const MAX_PENDING_DELIVERED = 10_000;
/** Delivered pointers are stored in rounds, at most this often. */
const DELIVERED_ROUND_MS = 1_000;

interface PendingDelivered {
  conversationId: string;
  userId: string;
  seq: number;
}

/**
 * Each member's read and delivered pointers: the highest of their marks, so they only ever move
 * forward, and both survive a reload (`reads`).
 */
@Injectable()
export class ReadPointersService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ReadPointersService.name);
  /** The highest delivered pointer each member asked for and that is not stored yet. */
  private readonly pendingDelivered = new Map<string, PendingDelivered>();
  private deliveredRound?: ReturnType<typeof setTimeout>;
  /** The round under way (rounds never overlap). */
  private storing: Promise<void> = Promise.resolve();
  private closing = false;

  constructor(
    private readonly readMarks: ReadMarksRepository,
    private readonly deliveryMarks: DeliveryMarksRepository,
    private readonly messages: MessagesRepository,
    private readonly conversations: ConversationsRepository,
    private readonly memberships: MembershipsService,
    private readonly broadcaster: ChatBroadcaster,
  ) {}

  /**
   * Moves the member's read pointer up to `seq` (capped at the latest message, so messages not
   * yet sent cannot be pre-read). A seq at or below the pointer changes nothing. When it moves,
   * every socket of every member gets `read`, the reader's other sockets included.
   */
  async markRead(conversationId: string, userId: string, seq: number): Promise<void> {
    const moved = await this.move(this.readMarks, conversationId, userId, seq, (id) =>
      this.messages.latestSeq(id),
    );
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
   * `markRead` does, behind the answer; the other members get `delivered` once it is stored.
   * Clients say this after every burst of messages, far more often than anyone reads: the asks
   * are coalesced per member (the highest wins) and stored in rounds, one at a time, so however
   * many arrive, the database sees at most one such write at once.
   */
  async markDelivered(conversationId: string, userId: string, seq: number): Promise<void> {
    await this.memberships.requireMember(conversationId, userId);
    const key = `${conversationId}:${userId}`;
    const pending = this.pendingDelivered.get(key);
    if (!pending && this.pendingDelivered.size >= MAX_PENDING_DELIVERED) {
      throw new AppError('UNAVAILABLE', 'Too busy to record delivery right now; retry shortly');
    }
    if (!pending || pending.seq < seq)
      this.pendingDelivered.set(key, { conversationId, userId, seq });
    this.scheduleRound();
  }

  /** Stores what is pending before the database connection closes (as ActivityRecorder does). */
  beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.deliveredRound);
    this.deliveredRound = undefined;
    return this.nextRound();
  }

  private scheduleRound(): void {
    if (this.closing || this.pendingDelivered.size === 0) return;
    this.deliveredRound ??= setTimeout(() => void this.nextRound(), DELIVERED_ROUND_MS);
  }

  private nextRound(): Promise<void> {
    this.storing = this.storing.then(() => this.storeDelivered());
    return this.storing;
  }

  private async storeDelivered(): Promise<void> {
    try {
      for (const [key, next] of this.pendingDelivered) {
        this.pendingDelivered.delete(key);
        try {
          // Capped at the recorded lastSeq (an `_id` read; at most moments behind the messages,
          // and the client says `delivered` again with its next message).
          const moved = await this.move(
            this.deliveryMarks,
            next.conversationId,
            next.userId,
            next.seq,
            (id) => this.conversations.lastSeq(id),
          );
          if (!moved) continue;
          const user = parseId(next.userId, 'User');
          const others = await this.memberships.otherMemberIds(moved.conversationId, user);
          this.broadcaster.toUsers(others, 'delivered', moved.event);
        } catch (error) {
          // Best effort, like the client's own `delivered`: its next one carries the pointer again.
          this.logger.warn({ err: error }, 'Could not store a delivered pointer');
        }
      }
    } finally {
      this.deliveredRound = undefined;
      this.scheduleRound();
    }
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
  private async move(
    marks: PointerMarks,
    conversationId: string,
    userId: string,
    seq: number,
    latestSeq: (conversationId: Types.ObjectId) => Promise<number>,
  ) {
    const conversation = await this.memberships.requireMember(conversationId, userId);
    const user = parseId(userId, 'User');
    const [before, latest] = await Promise.all([
      marks.highest(conversation._id, user),
      latestSeq(conversation._id),
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
