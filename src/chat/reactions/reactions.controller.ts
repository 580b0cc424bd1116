import { Controller, Delete, HttpCode, Param, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { AuthenticatedUser } from '../../identity/authenticated-user';
import { CurrentUser } from '../../identity/current-user.decorator';
import { ReactionParamsDto } from '../dto/reaction.dto';
import { ReactionsService } from './reactions.service';

@ApiTags('messages')
@ApiBearerAuth()
// The params are validated as one DTO, which the document cannot see through: named here.
@ApiParam({ name: 'id', description: 'The message.' })
@ApiParam({
  name: 'emoji',
  description: 'One emoji grapheme or a `:short_name:` of 1–32 `[a-z0-9_+-]`, URL-encoded.',
})
@Controller('messages/:id/reactions/:emoji')
export class ReactionsController {
  constructor(private readonly reactions: ReactionsService) {}

  /**
   * Sets the user's emoji on a message (404 outside one's conversations; 409 on a deleted message
   * or a 21st distinct emoji). Setting it again changes nothing.
   */
  @ApiNoContentResponse({ description: 'Set (or already set).' })
  @ApiConflictResponse({ description: 'The message is deleted, or has 20 other emoji.' })
  @Put()
  @HttpCode(204)
  async set(
    @CurrentUser() user: AuthenticatedUser,
    @Param() params: ReactionParamsDto,
  ): Promise<void> {
    await this.reactions.react(user, params.id, params.emoji, true);
  }

  /** Unsets the user's emoji; unsetting one that is not set changes nothing. */
  @ApiNoContentResponse({ description: 'Unset (or was not set).' })
  @Delete()
  @HttpCode(204)
  async unset(
    @CurrentUser() user: AuthenticatedUser,
    @Param() params: ReactionParamsDto,
  ): Promise<void> {
    await this.reactions.react(user, params.id, params.emoji, false);
  }
}
