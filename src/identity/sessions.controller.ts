import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser } from './authenticated-user';
import { CurrentUser } from './current-user.decorator';
import { SessionDto } from './dto/session.dto';
import { SessionsService } from './sessions.service';

/** The caller's signed-in devices. */
@ApiTags('auth')
@ApiBearerAuth()
@Controller('auth/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  /** Live sessions, most recently used first (up to 100); `current` marks the caller's. */
  @Get()
  list(@CurrentUser() user: AuthenticatedUser): Promise<SessionDto[]> {
    return this.sessions.list(user.id, user.sessionId);
  }

  /** Ends one of the caller's sessions (another user's is 404): its sockets are disconnected. */
  @ApiNoContentResponse({ description: 'Ended.' })
  @Delete(':id')
  @HttpCode(204)
  async end(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<void> {
    await this.sessions.endOwn(user.id, id, 'revoked');
  }
}
