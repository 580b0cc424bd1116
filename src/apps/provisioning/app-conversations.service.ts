import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../../common/errors/app-error';
import { parseId } from '../../common/object-id';
import { ConversationViews } from '../../conversations/conversation-views';
import { ConversationsService } from '../../conversations/conversations.service';
import type { ConversationDto } from '../../conversations/dto/conversation.dto';
import { GroupMembers } from '../../conversations/group-members';
import { MembershipsService } from '../../conversations/memberships.service';
import type { KeyCaller } from '../../identity/authenticated-user';
import { ExternalUsersRepository } from '../../persistence/external-users/external-users.repository';
import type { AppConversationDto } from '../dto/app-conversation.dto';

/**
 * Conversations an app opens and manages on its users' behalf: as the first member when opening
 * one, as the group's owner when changing who is in it, so every rule a user meets (blocks,
 * deleted accounts, roles' limits) holds for the app too, and every change is on the feed.
 * An app acts only for its own users (those it provisioned, and its bot): anyone else, and any
 * group none of them owns, is answered as if it did not exist.
 */
@Injectable()
export class AppConversationsService {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly groups: GroupMembers,
    private readonly memberships: MembershipsService,
    private readonly views: ConversationViews,
    private readonly links: ExternalUsersRepository,
  ) {}

  /** The conversation as its first member sees it. */
  async open(caller: KeyCaller, dto: AppConversationDto): Promise<ConversationDto> {
    await this.mustAllBeOwn(caller, dto.memberIds);
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

  async addMember(caller: KeyCaller, conversationId: string, userId: string): Promise<void> {
    const owner = await this.ownerOf(caller, conversationId, userId);
    await this.groups.addMember(owner, conversationId, userId);
  }

  /** Any member of a group the app's user owns, as that owner could. */
  async removeMember(caller: KeyCaller, conversationId: string, userId: string): Promise<void> {
    const owner = await this.ownerOf(caller, conversationId);
    await this.groups.removeMember(owner, conversationId, userId);
  }

  /** The group's owner, if the app's; `joining` (if given) must be the app's too. */
  private async ownerOf(
    caller: KeyCaller,
    conversationId: string,
    joining?: string,
  ): Promise<string> {
    const roster = await this.memberships.roster(parseId(conversationId, 'Conversation'));
    const owner = roster.find((member) => member.role === 'owner')?.userId.toHexString();
    // One look-up for both.
    const own = owner ? await this.ownOf(caller, joining ? [owner, joining] : [owner]) : new Set();
    if (!owner || !own.has(owner)) throw new AppError('NOT_FOUND', 'Conversation not found');
    if (joining && !own.has(joining)) throw new AppError('NOT_FOUND', 'User not found');
    return owner;
  }

  private async mustAllBeOwn(caller: KeyCaller, userIds: string[]): Promise<void> {
    const own = await this.ownOf(caller, userIds);
    if (userIds.some((id) => !own.has(id))) throw new AppError('NOT_FOUND', 'User not found');
  }

  /** Those of `userIds` the app acts for: its bot and the users it provisioned. */
  private async ownOf(caller: KeyCaller, userIds: string[]): Promise<Set<string>> {
    const others = userIds.filter((id) => id !== caller.id && Types.ObjectId.isValid(id));
    const own = others.length
      ? await this.links.linkedAmong(
          new Types.ObjectId(caller.app.id),
          others.map((id) => new Types.ObjectId(id)),
        )
      : new Set<string>();
    if (userIds.includes(caller.id)) own.add(caller.id);
    return own;
  }
}
