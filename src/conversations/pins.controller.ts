import { Controller, Delete, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser } from '../identity/authenticated-user';
import { CurrentUser } from '../identity/current-user.decorator';
import { PinsService } from './pins.service';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('messages/:id/pin')
export class PinsController {
  constructor(private readonly pins: PinsService) {}

  /**
   * Pins a message to its conversation: `conversation:updated` (kind `pin`) to the members. 404
   * outside one's conversations; 409 for a deleted message or a 51st pin.
   */
  @ApiNoContentResponse({ description: 'Pinned (or already pinned).' })
  @ApiConflictResponse({ description: 'The message is deleted, or 50 are pinned.' })
  @Put()
  @HttpCode(204)
  async pin(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<void> {
    await this.pins.pin(user.id, id, true);
  }

  /** Unpins it; unpinning one that is not pinned changes nothing. */
  @ApiNoContentResponse({ description: 'Unpinned (or was not pinned).' })
  @Delete()
  @HttpCode(204)
  async unpin(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<void> {
    await this.pins.pin(user.id, id, false);
  }
}
