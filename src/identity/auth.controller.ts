import { Body, Controller, Headers, HttpCode, Ip, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthService } from './auth.service';
import { AuthenticatedUser } from './authenticated-user';
import { CurrentUser } from './current-user.decorator';
import { AuthResultDto } from './dto/auth-result.dto';
import { LoginDto } from './dto/login.dto';
import { RefreshDto } from './dto/refresh.dto';
import { RegisterDto } from './dto/register.dto';
import { Public } from './public.decorator';
import { SessionsService } from './sessions.service';
import { AuthAttempts } from '../rate-limit/auth-attempts.decorator';

@ApiTags('auth')
@AuthAttempts()
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
  ) {}

  /** Creates an account and signs it in (a new session). 409 CONFLICT when the username is taken. */
  @ApiConflictResponse({ description: 'That username is taken.' })
  @Public()
  @Post('register')
  register(
    @Body() dto: RegisterDto,
    @Ip() address: string,
    @Headers('user-agent') userAgent?: string,
  ): Promise<AuthResultDto> {
    return this.auth.register(dto, address, userAgent);
  }

  /** A new session. 401 with the same message whether the user is unknown or the password is wrong. */
  @ApiUnauthorizedResponse({ description: 'Wrong username or password (one message for both).' })
  @Public()
  @Post('login')
  @HttpCode(200)
  login(
    @Body() dto: LoginDto,
    @Ip() address: string,
    @Headers('user-agent') userAgent?: string,
  ): Promise<AuthResultDto> {
    return this.auth.login(dto, address, userAgent);
  }

  /**
   * Spends the refresh token for a new pair. A refresh token works once; presenting a spent one
   * again ends its session (401), except the one just spent, answered again for
   * `REFRESH_RETRY_GRACE_SECONDS` in case its answer was lost.
   */
  @ApiUnauthorizedResponse({ description: 'Invalid, spent or ended: sign in again.' })
  @Public()
  @Post('refresh')
  @HttpCode(200)
  refresh(@Body() dto: RefreshDto): Promise<AuthResultDto> {
    return this.auth.refresh(dto.refreshToken);
  }

  /** Ends the caller's session: its tokens stop working and its sockets are disconnected. */
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'Signed out.' })
  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentUser() user: AuthenticatedUser): Promise<void> {
    await this.sessions.endOwn(user.id, user.sessionId, 'logout');
  }
}
