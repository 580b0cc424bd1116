import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { AppError } from '../../../../src/common/errors/app-error';
import { parseId } from '../../../../src/common/object-id';
import { serialize } from '../../../../src/common/serialize';
import { MembershipsService } from '../../../../src/conversations/memberships.service';
import type { AuthenticatedUser } from '../../../../src/identity/authenticated-user';
import { CurrentUser } from '../../../../src/identity/current-user.decorator';
import { MessageStatsDto } from './message-stats.dto';
import { MessageStatsService } from './message-stats.service';

/** Signed-in users only (the global guard; no `KeyScope`, so API keys are refused). */
@ApiTags('message-stats')
@ApiBearerAuth()
@Controller('message-stats')
export class MessageStatsController {
  constructor(
    private readonly stats: MessageStatsService,
    private readonly memberships: MembershipsService,
  ) {}

  @Get(':conversationId')
  @ApiNotFoundResponse({ description: 'No such conversation, or the caller is not a member.' })
  async get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('conversationId') conversationId: string,
  ): Promise<MessageStatsDto> {
    // Members only, and a stranger learns nothing: the same 404 as for no such conversation.
    const id = parseId(conversationId, 'Conversation');
    if (!(await this.memberships.isMember(id, parseId(user.id, 'User')))) {
      throw new AppError('NOT_FOUND', 'Conversation not found');
    }
    return serialize(MessageStatsDto, { conversationId, ...this.stats.of(conversationId) });
  }
}
