import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ConversationDto } from '../../conversations/dto/conversation.dto';
import { UserIdDto } from '../../conversations/dto/user-id.dto';
import type { KeyCaller } from '../../identity/authenticated-user';
import { CurrentUser } from '../../identity/current-user.decorator';
import { AppKeyRoute } from '../../identity/route-access';
import { AppConversationDto } from '../dto/app-conversation.dto';
import { AppConversationsService } from './app-conversations.service';

/**
 * Conversations opened and managed on users' behalf: API keys with `conversations:write` only,
 * for the app's own users (provisioned by it, or its bot).
 */
@ApiTags('apps')
@ApiBearerAuth()
@AppKeyRoute('conversations:write')
@Controller('apps/conversations')
export class AppConversationsController {
  constructor(private readonly conversations: AppConversationsService) {}

  /** A direct conversation of two users, or a group whose first member is its owner. */
  @Post()
  open(
    @CurrentUser() caller: KeyCaller,
    @Body() dto: AppConversationDto,
  ): Promise<ConversationDto> {
    return this.conversations.open(caller, dto);
  }

  /** Adds a member, as the group's owner would. */
  @Post(':id/members')
  @HttpCode(204)
  addMember(
    @CurrentUser() caller: KeyCaller,
    @Param('id') id: string,
    @Body() dto: UserIdDto,
  ): Promise<void> {
    return this.conversations.addMember(caller, id, dto.userId);
  }

  /** Removes a member, as the group's owner would. */
  @Delete(':id/members/:userId')
  @HttpCode(204)
  removeMember(
    @CurrentUser() caller: KeyCaller,
    @Param('id') id: string,
    @Param('userId') userId: string,
  ): Promise<void> {
    return this.conversations.removeMember(caller, id, userId);
  }
}
