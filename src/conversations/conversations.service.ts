import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, QueryFilter, trusted, Types } from 'mongoose';
import { Message } from '../chat/schemas/message.schema';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { serialize } from '../common/serialize';
import { UsersService } from '../identity/users.service';
import { ChatBroadcaster } from '../realtime/chat-broadcaster';
import { ConversationDto } from './dto/conversation.dto';
import { ListConversationsDto } from './dto/list-conversations.dto';
import { Conversation } from './schemas/conversation.schema';

const NOT_FOUND = 'Conversation not found';

export const directKey = (a: Types.ObjectId, b: Types.ObjectId): string =>
  [a.toHexString(), b.toHexString()].sort().join(':');

@Injectable()
export class ConversationsService {
  constructor(
    @InjectModel(Conversation.name) private readonly conversations: Model<Conversation>,
    @InjectModel(Message.name) private readonly messages: Model<Message>,
    private readonly users: UsersService,
    private readonly broadcaster: ChatBroadcaster,
  ) {}

  /**
   * The conversation, if the user is a member. Non-members get the same NOT_FOUND as a missing
   * conversation, so existence is not leaked. Checked on every call, never cached per socket.
   */
  async requireMember(conversationId: string, userId: string): Promise<Conversation> {
    const conversation = await this.conversations
      .findOne({ _id: parseId(conversationId, 'Conversation'), memberIds: parseId(userId, 'User') })
      .lean();
    if (!conversation) throw new AppError('NOT_FOUND', NOT_FOUND);
    return conversation;
  }

  /** The direct conversation of the pair, created on first use; announced to both when created. */
  async direct(userId: string, otherId: string): Promise<Conversation> {
    const me = parseId(userId, 'User');
    const other = parseId(otherId, 'User');
    if (me.equals(other)) {
      throw new AppError('VALIDATION_FAILED', 'A direct conversation needs another user');
    }
    const uniqueKey = directKey(me, other);
    const existing = await this.conversations.findOne({ uniqueKey }).lean();
    if (existing) return existing;
    if ((await this.users.existingIds([other])).length === 0) {
      throw new AppError('NOT_FOUND', 'User not found');
    }
    const now = new Date();
    try {
      const created = await this.conversations.create({
        type: 'direct',
        title: null,
        memberIds: [me, other],
        creatorId: me,
        uniqueKey,
        lastActivityAt: now,
      });
      const conversation = created.toObject();
      await this.announce(conversation);
      return conversation;
    } catch (error) {
      // Both members opened it at once: the unique key kept one, and that one is the answer.
      if ((error as { code?: unknown }).code !== 11000) throw error;
      const winner = await this.conversations.findOne({ uniqueKey }).lean();
      if (!winner) throw error;
      return winner;
    }
  }

  async get(conversationId: string, userId: string): Promise<ConversationDto> {
    return this.view(await this.requireMember(conversationId, userId), userId);
  }

  /** The user's conversations, latest activity first. */
  async list(userId: string, query: ListConversationsDto): Promise<ConversationDto[]> {
    const filter: QueryFilter<Conversation> = { memberIds: parseId(userId, 'User') };
    if (query.before) filter.lastActivityAt = trusted({ $lt: new Date(query.before) });
    const conversations = await this.conversations
      .find(filter)
      .sort({ lastActivityAt: -1, _id: -1 })
      .limit(query.limit ?? 50)
      .lean();
    return Promise.all(conversations.map((conversation) => this.view(conversation, userId)));
  }

  /** Moves the list order forward after a message is stored. Only ever raises lastSeq. */
  async noteActivity(conversationId: Types.ObjectId, seq: number, at: Date): Promise<void> {
    await this.conversations.updateOne(
      { _id: conversationId, lastSeq: trusted({ $lt: seq }) },
      { $set: { lastSeq: seq, lastActivityAt: at } },
    );
  }

  async view(conversation: Conversation, userId: string): Promise<ConversationDto> {
    const lastMessage = await this.messages
      .findOne({ conversationId: conversation._id })
      .sort({ seq: -1 })
      .lean();
    const lastReadSeq = 0;
    const unreadCount = lastMessage
      ? await this.messages.countDocuments({
          conversationId: conversation._id,
          seq: trusted({ $gt: lastReadSeq }),
          senderId: trusted({ $ne: parseId(userId, 'User') }),
        })
      : 0;
    return serialize(ConversationDto, {
      ...conversation,
      lastSeq: lastMessage?.seq ?? 0,
      lastMessage,
      lastReadSeq,
      unreadCount,
    });
  }

  private async announce(conversation: Conversation): Promise<void> {
    for (const member of conversation.memberIds) {
      const id = member.toHexString();
      this.broadcaster.toUsers([id], 'conversation:new', await this.view(conversation, id));
    }
  }
}
