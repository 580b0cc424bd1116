import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiDefaultResponse, ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser } from '../identity/authenticated-user';
import { CurrentUser } from '../identity/current-user.decorator';
import { ConversationsService } from './conversations.service';
import { ConversationDto } from './dto/conversation.dto';
import { CreateDirectDto } from './dto/create-direct.dto';
import { ListConversationsDto } from './dto/list-conversations.dto';
import { ErrorResponseDto } from '../common/errors/error-response.dto';

@ApiTags('conversations')
@ApiBearerAuth()
@ApiDefaultResponse({ type: ErrorResponseDto, description: 'The contract error body' })
@Controller('conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  /** The caller's conversations, latest activity first. */
  @Get()
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: ListConversationsDto,
  ): Promise<ConversationDto[]> {
    return this.conversations.list(user.id, query);
  }

  /** The direct conversation with `userId`, created on first call; 400 with oneself. */
  @Post('direct')
  @HttpCode(200)
  async direct(
    @CurrentUser() user: AuthenticatedUser,
    @Body() dto: CreateDirectDto,
  ): Promise<ConversationDto> {
    const conversation = await this.conversations.direct(user.id, dto.userId);
    return this.conversations.view(conversation, user.id);
  }

  /** 404 unless the caller is a member. */
  @Get(':id')
  get(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<ConversationDto> {
    return this.conversations.get(id, user.id);
  }
}
