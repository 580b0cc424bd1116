import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { parseId } from '../../common/object-id';
import { ConversationViews } from '../../conversations/conversation-views';
import { ConversationsService } from '../../conversations/conversations.service';
import type { ConversationDto } from '../../conversations/dto/conversation.dto';
import { GroupMembers } from '../../conversations/group-members';
import { MembershipsService } from '../../conversations/memberships.service';
import type { AppConversationDto } from '../dto/app-conversation.dto';

/**
 * Conversations an app opens and manages on its users' behalf: as the first member when opening
 * one, as the group's owner when changing who is in it, so every rule a user meets (blocks,
 * deleted accounts, roles' limits) holds for the app too, and every change is on the feed.
 */
@Injectable()
export class AppConversationsService {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly groups: GroupMembers,
    private readonly memberships: MembershipsService,
    private readonly views: ConversationViews,
  ) {}

  /** The conversation as its first member sees it. */
  async open(dto: AppConversationDto): Promise<ConversationDto> {
    const [first, ...others] = dto.memberIds;
    if (dto.type === 'direct') {
      if (others.length !== 1) {
        throw new AppError('VALIDATION_FAILED', 'A direct conversation has exactly two memberIds');
      }
      const conversation = await this.conversations.direct(first, others[0]);
      return this.views.view(conversation, first);
    }
    if (!dto.title) throw new AppError('VALIDATION_FAILED', 'title is required for a group');
    return this.conversations.createGroup(first, { title: dto.title, memberIds: others });
  }

  async addMember(conversationId: string, userId: string): Promise<void> {
    await this.groups.addMember(await this.ownerOf(conversationId), conversationId, userId);
  }

  async removeMember(conversationId: string, userId: string): Promise<void> {
    const owner = await this.ownerOf(conversationId);
    await this.groups.removeMember(owner, conversationId, userId);
  }

  private async ownerOf(conversationId: string): Promise<string> {
    const roster = await this.memberships.roster(parseId(conversationId, 'Conversation'));
    const owner = roster.find((member) => member.role === 'owner');
    if (!owner) throw new AppError('NOT_FOUND', 'Conversation not found');
    return owner.userId.toHexString();
  }
}
