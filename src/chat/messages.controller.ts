import { Body, Controller, Delete, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthenticatedUser } from '../identity/authenticated-user';
import { CurrentUser } from '../identity/current-user.decorator';
import { HistoryQueryDto } from './dto/history-query.dto';
import { MessagePageDto } from './dto/message-page.dto';
import { MessageDto } from '../common/dto/message.dto';
import { MessageBodyDto, PostMessageDto } from './dto/send-message.dto';
import { MessageHistory } from './history/message-history';
import { MessagesService } from './messages.service';
import { KeyScope } from '../identity/route-access';

@ApiTags('messages')
@ApiBearerAuth()
@Controller()
export class MessagesController {
  constructor(
    private readonly messages: MessagesService,
    private readonly reading: MessageHistory,
  ) {}

  /**
   * A page of history, ascending by seq. No cursor: the latest page. `beforeSeq`: older
   * messages; `afterSeq`: newer ones. `hasMore` says whether the next page in that direction has any.
   */
  @KeyScope('events:read')
  @Get('conversations/:id/messages')
  history(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Query() query: HistoryQueryDto,
  ): Promise<MessagePageDto> {
    return this.reading.history(user, id, query);
  }

  /**
   * Stores the message, then emits `message:new` to every member. A repeated clientMsgId returns
   * the stored message with the header `Idempotent-Replayed: true`, and stores nothing.
   */
  @ApiCreatedResponse({
    type: MessageDto,
    description: 'Stored (or, for a repeated clientMsgId, stored before: see the header).',
    headers: {
      'Idempotent-Replayed': {
        description: '`true` when the clientMsgId was stored before and nothing new was stored.',
        schema: { type: 'string', enum: ['true'] },
      },
    },
  })
  @KeyScope('messages:write')
  @Post('conversations/:id/messages')
  async post(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Body() dto: PostMessageDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<MessageDto> {
    const { message, duplicate } = await this.messages.post(user, id, dto);
    if (duplicate) response.setHeader('Idempotent-Replayed', 'true');
    return message;
  }

  /** Sender only (403 otherwise; 404 outside one's conversations; 409 once deleted). */
  @ApiForbiddenResponse({ description: 'Only the sender may edit a message.' })
  @ApiConflictResponse({ description: 'A deleted message cannot be edited.' })
  @KeyScope('messages:write')
  @Patch('messages/:id')
  edit(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Body() dto: MessageBodyDto,
  ): Promise<MessageDto> {
    return this.messages.edit(user, id, dto.body);
  }

  /** Sender only: the message stays, with body "" and deletedAt set. Returns it. */
  @ApiForbiddenResponse({ description: 'Only the sender may delete a message.' })
  @KeyScope('messages:write')
  @Delete('messages/:id')
  delete(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<MessageDto> {
    return this.messages.delete(user, id);
  }
}
