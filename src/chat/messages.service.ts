import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { DrainService } from '../common/drain.service';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { ConversationsService } from '../conversations/conversations.service';
import { isBlockedIn, MANAGERS, MembershipsService } from '../conversations/memberships.service';
import { Conversation } from '../persistence/conversations/conversation.schema';
import { AuthenticatedUser } from '../identity/authenticated-user';
import { MetricsService } from '../metrics/metrics.service';
import { UserRateLimiter } from '../rate-limit/user-rate-limiter';
import type { SendResult } from '../realtime/realtime.events';
import { MessageDto } from '../common/dto/message.dto';
import { PostMessageDto, SendMessageDto } from './dto/send-message.dto';
import { UsersService } from '../identity/users.service';
import { MessageChanges, type MessagePatch } from './edits/message-changes';
import { SendRouter } from './sending/writer-routing/send-router';
import { FilesService } from '../files/files.service';
import { mentionedUsernames } from './rich/mentions';
import { quoteOf } from './rich/reply-quote';
import type { Message, StoredReplyQuote } from '../persistence/messages/message.schema';
import { MessagesRepository } from '../persistence/messages/messages.repository';

/** Messages deleted per read while an account is erased. */
const ERASE_BATCH = 100;

/** A delete keeps the message and its seq, and nothing of what it said (null: deleted already). */
const deletion = (current: Message): MessagePatch | null =>
  current.deletedAt ? null : { body: '', deletedAt: new Date(), attachments: [], mentions: [] };

/**
 * Sending, editing and deleting messages; REST and socket.io both come through here (reading
 * them is MessageHistory's).
 */
@Injectable()
export class MessagesService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly conversations: ConversationsService,
    private readonly memberships: MembershipsService,
    private readonly router: SendRouter,
    private readonly changes: MessageChanges,
    private readonly users: UsersService,
    private readonly files: FilesService,
    private readonly rateLimiter: UserRateLimiter,
    private readonly metrics: MetricsService,
    private readonly drain: DrainService,
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

  private async store(
    user: AuthenticatedUser,
    conversation: Conversation,
    { body, clientMsgId, replyToId, attachments: fileIds = [] }: PostMessageDto,
  ): Promise<SendResult> {
    const senderId = parseId(user.id, 'User');
    const members = await this.memberships.memberIds(conversation._id);
    const receiverId =
      conversation.type === 'direct' ? (members.find((id) => !id.equals(senderId)) ?? null) : null;
    if (isBlockedIn(conversation, senderId)) {
      throw new AppError('FORBIDDEN', 'This user does not accept messages from you');
    }
    const [replyTo, mentions, attachments] = await Promise.all([
      replyToId === undefined ? null : this.quote(conversation._id, replyToId),
      this.users.membersNamed(mentionedUsernames(body), members),
      this.files.attachable(user.id, fileIds),
    ]);
    // No lookup of clientMsgId first: the unique (senderId, dedupeKey) index answers at insert.
    return this.router.write({
      conversationId: conversation._id,
      senderId,
      receiverId,
      body,
      clientMsgId: clientMsgId ?? null,
      replyTo,
      mentions,
      attachments,
      recipients: members.map((id) => id.toHexString()),
    });
  }

  /** The quote of the message replied to, which must be in the same conversation. */
  private async quote(
    conversationId: Types.ObjectId,
    replyToId: string,
  ): Promise<StoredReplyQuote> {
    const target = await this.messages.findById(parseId(replyToId, 'Message'));
    // Another conversation's message is not found, whether or not the sender could see it.
    if (!target || !target.conversationId.equals(conversationId)) {
      throw new AppError('NOT_FOUND', 'The message replied to was not found in this conversation');
    }
    // Before the quote is stored, so a delete from now on knows to erase it.
    await this.messages.markCopied(target._id);
    return quoteOf(target);
  }

  /**
   * Sender only (403 otherwise): sets the body, editedAt and the mentions of the new body;
   * `message:updated` to every member.
   */
  async edit(user: AuthenticatedUser, messageId: string, body: string): Promise<MessageDto> {
    return this.drain.track(async () => {
      const message = await this.ownMessage(user, messageId);
      const members = await this.memberships.memberIds(message.conversationId);
      const mentions = await this.users.membersNamed(mentionedUsernames(body), members);
      return this.changes.change(message, message.senderId, 'message:updated', (current) => {
        if (current.deletedAt) throw new AppError('CONFLICT', 'A deleted message cannot be edited');
        return { body, editedAt: new Date(), deletedAt: null, mentions };
      });
    });
  }

  /**
   * The sender, or in a group its admins and owner (403 otherwise): keeps the message and its seq
   * with an empty body and deletedAt; `message:deleted` to every member, by whoever deleted it.
   * Deleting again returns the message and emits nothing.
   */
  async delete(user: AuthenticatedUser, messageId: string): Promise<MessageDto> {
    return this.drain.track(async () => {
      const message = await this.memberships.requireVisibleMessage(messageId, user.id);
      const actor = parseId(user.id, 'User');
      if (!message.senderId.equals(actor)) {
        const role = await this.memberships.roleOf(message.conversationId, actor);
        const conversation = await this.memberships.requireMember(
          message.conversationId.toHexString(),
          user.id,
        );
        if (conversation.type !== 'group' || !role || !MANAGERS.includes(role)) {
          throw new AppError(
            'FORBIDDEN',
            "Only the sender, or a group's admins, may delete a message",
          );
        }
      }
      return this.changes.change(message, actor, 'message:deleted', deletion);
    });
  }

  /**
   * Deletes every message the user sent, each as `DELETE /messages/:id` would (a rev, and
   * `message:deleted` to the members): the account is being deleted. Returns how many.
   */
  async eraseAllBy(userId: string): Promise<number> {
    const sender = parseId(userId, 'User');
    let erased = 0;
    // By id, from where the last batch ended: a message that stays undeleted cannot loop it.
    for (let after: Types.ObjectId | null = null; ;) {
      const batch = await this.messages.undeletedBy(sender, after, ERASE_BATCH);
      for (const message of batch) {
        await this.changes.change(message, sender, 'message:deleted', deletion);
        erased += 1;
      }
      if (batch.length < ERASE_BATCH) return erased;
      after = batch[batch.length - 1]._id;
    }
  }

  private async ownMessage(user: AuthenticatedUser, messageId: string): Promise<Message> {
    const message = await this.memberships.requireWritableMessage(messageId, user.id);
    if (message.senderId.toHexString() !== user.id) {
      throw new AppError('FORBIDDEN', 'Only the sender may edit a message');
    }
    return message;
  }
}
