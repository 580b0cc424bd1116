import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { serialize } from '../common/serialize';
import { isDuplicateKey } from '../database/is-duplicate-key';
import { AuthenticatedUser } from './authenticated-user';
import { AuthResultDto } from './dto/auth-result.dto';
import { PasswordHashes } from './password-hashes';
import { UserRateLimiter } from '../rate-limit/user-rate-limiter';
import { LoginDto } from './dto/login.dto';
import { RegisterDto } from './dto/register.dto';
import { UserDto } from './dto/user.dto';
import type { User } from '../persistence/users/user.schema';
import { UsersRepository } from '../persistence/users/users.repository';
import { SessionsService } from './sessions.service';

const BAD_CREDENTIALS = 'Invalid username or password';

@Injectable()
export class AuthService {
  // Verified against when the user is unknown, so both failures cost the same time.
  private decoyHash?: Promise<string>;

  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsService,
    private readonly hashes: PasswordHashes,
    private readonly rateLimiter: UserRateLimiter,
  ) {}

  async register(dto: RegisterDto, userAgent?: string): Promise<AuthResultDto> {
    const passwordHash = await this.hashes.hash(dto.password);
    const displayName = dto.displayName?.trim() || dto.username;
    try {
      const user = await this.users.create({ username: dto.username, displayName, passwordHash });
      return await this.issue(user, userAgent);
    } catch (error) {
      if (isDuplicateKey(error)) {
        throw new AppError('CONFLICT', 'That username is taken');
      }
      throw error;
    }
  }

  async login(dto: LoginDto, userAgent?: string): Promise<AuthResultDto> {
    await this.rateLimiter.consume(dto.username, 'logins', 'rest');
    const user = await this.users.findForLogin(dto.username);
    this.decoyHash ??= this.hashes.hash('decoy password, never matches').catch((error) => {
      this.decoyHash = undefined; // refused (a busy moment): made on a later login instead
      throw error;
    });
    const valid = await this.hashes.verify(
      user?.passwordHash ?? (await this.decoyHash),
      dto.password,
    );
    if (!user || !valid) throw new AppError('UNAUTHORIZED', BAD_CREDENTIALS);
    return this.issue(user, userAgent);
  }

  /** Spends a refresh token for the next pair (see SessionsService.refresh). */
  async refresh(refreshToken: string): Promise<AuthResultDto> {
    const { userId, tokens } = await this.sessions.refresh(refreshToken);
    const user = await this.users.findById(userId);
    if (!user) throw new AppError('UNAUTHORIZED', 'The session has ended; sign in again');
    return { user: serialize(UserDto, user), ...tokens };
  }

  /** Verifies a bearer token and that its session is live (which implies its user exists). */
  async authenticate(token: unknown): Promise<AuthenticatedUser> {
    return (await this.verify(token)).user;
  }

  /** As `authenticate`, with when the token runs out (sockets are dropped then). */
  async verify(token: unknown): Promise<{ user: AuthenticatedUser; expiresAt: Date }> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
      throw new AppError('UNAUTHORIZED', 'A valid access token is required');
    }
    const { userId, username, sessionId, expiresAt } = await this.sessions.verify(token);
    return { user: { id: userId, username, sessionId }, expiresAt };
  }

  private async issue(user: User, userAgent?: string): Promise<AuthResultDto> {
    return { user: serialize(UserDto, user), ...(await this.sessions.start(user, userAgent)) };
  }
}
