import { Controller, Delete, HttpCode, Param, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AuthenticatedUser } from '../identity/authenticated-user';
import { CurrentUser } from '../identity/current-user.decorator';
import { PinsService } from './pins.service';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('messages/:id/pin')
export class PinsController {
  constructor(private readonly pins: PinsService) {}

  /**
   * Pins a message to its conversation: `conversation:updated` (kind `pin`) to the members. Any
   * member of a direct conversation, a group's admins and owner (403 for its plain members); 404
   * outside one's conversations; 409 for a deleted message or a 51st pin.
   */
  @ApiNoContentResponse({ description: 'Pinned (or already pinned).' })
  @ApiConflictResponse({ description: 'The message is deleted, or 50 are pinned.' })
  @ApiForbiddenResponse({ description: 'A plain member of a group (its admins and owner pin).' })
  @Put()
  @HttpCode(204)
  async pin(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<void> {
    await this.pins.pin(user.id, id, true);
  }

  /** Unpins it; unpinning one that is not pinned changes nothing. */
  @ApiNoContentResponse({ description: 'Unpinned (or was not pinned).' })
  @ApiForbiddenResponse({ description: 'A plain member of a group (its admins and owner unpin).' })
  @Delete()
  @HttpCode(204)
  async unpin(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<void> {
    await this.pins.pin(user.id, id, false);
  }
}
