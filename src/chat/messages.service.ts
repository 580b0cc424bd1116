import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { DrainService } from '../common/drain.service';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { PageReads } from '../common/page-reads';
import { serialize } from '../common/serialize';
import { ConversationsService } from '../conversations/conversations.service';
import { MembershipsService } from '../conversations/memberships.service';
import { Conversation } from '../persistence/conversations/conversation.schema';
import { AuthenticatedUser } from '../identity/authenticated-user';
import { MetricsService } from '../metrics/metrics.service';
import { UserRateLimiter } from '../rate-limit/user-rate-limiter';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { MessagePage, SendResult } from '../realtime/realtime.events';
import { HistoryQueryDto } from './dto/history-query.dto';
import { MessageDto } from '../common/dto/message.dto';
import { PostMessageDto, SendMessageDto } from './dto/send-message.dto';
import { DEFAULT_PAGE_SIZE } from '../common/dto/conversation-page.dto';
import { SyncDto } from './dto/sync.dto';
import { ChangeLog } from '../changes/change-log';
import { ConversationTurns } from '../changes/conversation-turns';
import { MessageChanged } from './message-events';
import { MessageWriter } from './message-writer';
import type { MessagePatch } from '../persistence/changes/change.schema';
import type { Message } from '../persistence/messages/message.schema';
import { MessagesRepository, type SeqRange } from '../persistence/messages/messages.repository';

/** Sending and reading messages; REST and socket.io both come through here. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly conversations: ConversationsService,
    private readonly memberships: MembershipsService,
    private readonly writer: MessageWriter,
    private readonly turns: ConversationTurns,
    private readonly changeLog: ChangeLog,
    private readonly events: EventEmitter2,
    private readonly rateLimiter: UserRateLimiter,
    private readonly metrics: MetricsService,
    private readonly drain: DrainService,
    /** Pages scan on some databases (FerretDB): never more at once than PAGE_READS_IN_FLIGHT. */
    private readonly pages: PageReads,
  ) {}

  /** Socket send: into a conversation the user belongs to, or a direct message `to` a user. */
  send(user: AuthenticatedUser, dto: SendMessageDto): Promise<SendResult> {
    return this.measured('socket', async () => {
      if (dto.to !== undefined && dto.conversationId !== undefined) {
        throw new AppError('VALIDATION_FAILED', 'Give either conversationId or to, not both');
      }
      await this.rateLimiter.consume(user.id, 'sends', 'socket');
      const conversation =
        dto.to !== undefined
          ? await this.conversations.direct(user.id, dto.to)
          : await this.memberships.requireMember(dto.conversationId ?? '', user.id);
      return this.store(user, conversation, dto);
    });
  }

  /** REST send: the same path as the socket. */
  post(user: AuthenticatedUser, conversationId: string, dto: PostMessageDto): Promise<SendResult> {
    return this.measured('rest', async () => {
      await this.rateLimiter.consume(user.id, 'sends', 'rest');
      const conversation = await this.memberships.requireMember(conversationId, user.id);
      return this.store(user, conversation, dto);
    });
  }

  private async measured(
    transport: 'rest' | 'socket',
    send: () => Promise<SendResult>,
  ): Promise<SendResult> {
    const stop = this.metrics.sendLatency.startTimer({ transport });
    try {
      const result = await this.drain.track(send);
      stop({ outcome: result.duplicate ? 'duplicate' : 'stored' });
      return result;
    } catch (error) {
      stop({ outcome: 'failed' });
      throw error;
    }
  }

  async history(
    user: AuthenticatedUser,
    conversationId: string,
    query: HistoryQueryDto,
  ): Promise<MessagePage> {
    const conversation = await this.memberships.requireMember(conversationId, user.id);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const seq: SeqRange = {};
    if (query.afterSeq !== undefined) seq.$gt = query.afterSeq;
    if (query.beforeSeq !== undefined) seq.$lt = query.beforeSeq;
    // With afterSeq the page reads forwards from it; otherwise backwards from the newest.
    return this.page(conversation._id, seq, limit, query.afterSeq !== undefined ? 1 : -1);
  }

  async sync(user: AuthenticatedUser, dto: SyncDto): Promise<MessagePage> {
    const conversation = await this.memberships.requireMember(dto.conversationId, user.id);
    return this.page(conversation._id, { $gt: dto.afterSeq }, dto.limit ?? DEFAULT_PAGE_SIZE, 1);
  }

  /** A page of a conversation's messages; the same page asked for at once is read once. */
  private page(
    conversationId: Types.ObjectId,
    seq: SeqRange,
    limit: number,
    direction: 1 | -1,
  ): Promise<MessagePage> {
    const key = `${conversationId.toHexString()}:${seq.$gt}:${seq.$lt}:${limit}:${direction}`;
    return this.pages.run(key, async () => {
      const found = await this.messages.page(conversationId, seq, limit + 1, direction);
      const hasMore = found.length > limit;
      const items = found.slice(0, limit);
      if (direction === -1) items.reverse();
      return { items: items.map((message) => serialize(MessageDto, message)), hasMore };
    });
  }

  private async store(
    user: AuthenticatedUser,
    conversation: Conversation,
    { body, clientMsgId }: PostMessageDto,
  ): Promise<SendResult> {
    const senderId = parseId(user.id, 'User');
    const members = await this.memberships.memberIds(conversation._id);
    const receiverId =
      conversation.type === 'direct' ? (members.find((id) => !id.equals(senderId)) ?? null) : null;
    // No lookup of clientMsgId first: the unique (senderId, dedupeKey) index answers at insert.
    return this.writer.write({
      conversationId: conversation._id,
      senderId,
      receiverId,
      body,
      clientMsgId: clientMsgId ?? null,
      recipients: members.map((id) => id.toHexString()),
    });
  }

  /** Sender only (403 otherwise): sets the body and editedAt; `message:updated` to every member. */
  async edit(user: AuthenticatedUser, messageId: string, body: string): Promise<MessageDto> {
    return this.drain.track(() =>
      this.change(user, messageId, 'message:updated', (message) => {
        if (message.deletedAt) throw new AppError('CONFLICT', 'A deleted message cannot be edited');
        return { body, editedAt: new Date(), deletedAt: null };
      }),
    );
  }

  /**
   * Sender only (403 otherwise): keeps the message and its seq with an empty body and deletedAt;
   * `message:deleted` to every member. Deleting again returns the message and emits nothing.
   */
  async delete(user: AuthenticatedUser, messageId: string): Promise<MessageDto> {
    return this.drain.track(() =>
      this.change(user, messageId, 'message:deleted', (message) =>
        message.deletedAt ? null : { body: '', editedAt: message.editedAt, deletedAt: new Date() },
      ),
    );
  }

  /**
   * An edit or delete: numbered in the change feed first (the change keeps the message as it
   * leaves it), then applied to the message, then told to the members.
   */
  private async change(
    user: AuthenticatedUser,
    messageId: string,
    kind: 'message:updated' | 'message:deleted',
    patchFor: (message: Message) => MessagePatch | null,
  ): Promise<MessageDto> {
    const id = parseId(messageId, 'Message');
    const userId = parseId(user.id, 'User');
    const found = await this.messages.findById(id);
    // A message in a conversation the user is not in does not exist, as far as they can tell.
    if (!found || !(await this.memberships.isMember(found.conversationId, userId))) {
      throw new AppError('NOT_FOUND', 'Message not found');
    }
    if (!found.senderId.equals(userId)) {
      throw new AppError('FORBIDDEN', 'Only the sender may edit or delete a message');
    }
    return this.turns.exclusive(found.conversationId.toHexString(), async () => {
      const current = await this.messages.findById(id);
      if (!current) throw new AppError('NOT_FOUND', 'Message not found');
      const patch = patchFor(current);
      if (!patch) return serialize(MessageDto, current);
      // The snapshot's rev is the change's own (the feed sets it when it reads the change back).
      const { rev } = await this.changeLog.record(current.conversationId, {
        kind,
        actorId: userId,
        messageId: id,
        message: { ...current, ...patch },
      });
      await this.messages.applyChange(id, rev, patch);
      const updated = serialize(MessageDto, { ...current, ...patch, rev });
      const members = await this.memberships.memberIds(current.conversationId);
      const recipients = members.map((member) => member.toHexString());
      this.events.emit(MessageChanged.event, new MessageChanged(kind, updated, recipients));
      return updated;
    });
  }
}
