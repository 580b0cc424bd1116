import { Body, Controller, Delete, Headers, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { KeyCaller } from '../../identity/authenticated-user';
import { CurrentUser } from '../../identity/current-user.decorator';
import { AuthResultDto } from '../../identity/dto/auth-result.dto';
import { UserDto } from '../../identity/dto/user.dto';
import { AppKeyRoute } from '../../identity/route-access';
import { EXTERNAL_ID, ProvisionUserDto } from '../dto/provision-user.dto';
import { AppUsersService } from './app-users.service';

/** The host product's users, by its own ids: API keys with `users:write` only. */
@ApiTags('apps')
@ApiBearerAuth()
@AppKeyRoute('users:write')
@ApiParam({
  name: 'externalId',
  description: "The host product's id for the user (else 400).",
  schema: { type: 'string', pattern: EXTERNAL_ID.source },
})
@Controller('apps/users')
export class AppUsersController {
  constructor(private readonly users: AppUsersService) {}

  /** Creates (201) or updates (200) the user linked to `externalId`; it has no password. */
  @Put(':externalId')
  async put(
    @CurrentUser() caller: KeyCaller,
    @Param('externalId') externalId: string,
    @Body() dto: ProvisionUserDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<UserDto> {
    const { user, created } = await this.users.put(caller, externalId, dto);
    response.status(created ? 201 : 200);
    return user;
  }

  /** Signs the user in (the host's SSO): a session and its tokens, as a login returns. */
  @Post(':externalId/sessions')
  signIn(
    @CurrentUser() caller: KeyCaller,
    @Param('externalId') externalId: string,
    @Headers('user-agent') userAgent?: string,
  ): Promise<AuthResultDto> {
    return this.users.signIn(caller, externalId, userAgent);
  }

  /** Ends every session of the user; its sockets are dropped within a second. */
  @Delete(':externalId/sessions')
  @HttpCode(204)
  signOut(
    @CurrentUser() caller: KeyCaller,
    @Param('externalId') externalId: string,
  ): Promise<void> {
    return this.users.signOut(caller, externalId);
  }
}
