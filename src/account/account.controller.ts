import { Body, Controller, Delete, Get, HttpCode, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import { Readable } from 'node:stream';
import { AuthenticatedUser } from '../identity/authenticated-user';
import { CurrentUser } from '../identity/current-user.decorator';
import { AccountService } from './account.service';
import { DeleteAccountDto } from './dto/delete-account.dto';

/** The caller's account as a whole. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('users/me')
export class AccountController {
  constructor(private readonly account: AccountService) {}

  /**
   * Deletes the account (the password asked again): its sessions end, its messages are deleted
   * as by `DELETE /messages/:id`, it leaves its groups; its username is freed 30 days later.
   */
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiForbiddenResponse({ description: 'The password is wrong.' })
  @Delete()
  @HttpCode(204)
  async delete(
    @CurrentUser() user: AuthenticatedUser,
    @Body() dto: DeleteAccountDto,
  ): Promise<void> {
    await this.account.delete(user, dto.password);
  }

  /**
   * Everything the account holds as NDJSON: `{ type: "user", user }`, then
   * `{ type: "conversation", conversation }` for each, then `{ type: "message", message }` for each
   * message sent, oldest first. At most 5 a minute.
   */
  @ApiOkResponse({
    description: 'One JSON object per line.',
    content: { 'application/x-ndjson': { schema: { type: 'string' } } },
  })
  @Throttle({ requests: { limit: 5, ttl: 60_000 } })
  @Get('export')
  export(@CurrentUser() user: AuthenticatedUser): StreamableFile {
    return new StreamableFile(Readable.from(this.account.export(user)), {
      type: 'application/x-ndjson; charset=utf-8',
      disposition: `attachment; filename="chat-export-${user.username}.ndjson"`,
    });
  }
}
