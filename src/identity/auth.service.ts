import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../common/errors/app-error';
import { serialize } from '../common/serialize';
import { isDuplicateKey } from '../database/is-duplicate-key';
import { AuthenticatedUser } from './authenticated-user';
import { AuthResultDto } from './dto/auth-result.dto';
import { LoginBackoff } from './login-backoff';
import { PasswordHashes } from './password-hashes';
import { UserRateLimiter } from '../rate-limit/user-rate-limiter';
import { LoginDto } from './dto/login.dto';
import { RegisterDto } from './dto/register.dto';
import { UserDto } from './dto/user.dto';
import type { User } from '../persistence/users/user.schema';
import { UsersRepository } from '../persistence/users/users.repository';
import { SessionsService } from './sessions.service';

const BAD_CREDENTIALS = 'Invalid username or password';

/** How long a deleted account's username stays taken (no one can pose as its owner meanwhile). */
export const USERNAME_HOLD_DAYS = 30;

@Injectable()
export class AuthService {
  // Verified against when the user is unknown, so both failures cost the same time.
  private decoyHash?: Promise<string>;

  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsService,
    private readonly hashes: PasswordHashes,
    private readonly rateLimiter: UserRateLimiter,
    private readonly backoff: LoginBackoff,
  ) {}

  async register(dto: RegisterDto, address: string, userAgent?: string): Promise<AuthResultDto> {
    const passwordHash = await this.hashes.hash(dto.password, address);
    const displayName = dto.displayName?.trim() || dto.username;
    const create = () => this.users.create({ username: dto.username, displayName, passwordHash });
    let user: User;
    try {
      user = await create();
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // Taken by an account deleted long enough ago: freed now, then it is this one's.
      const cutoff = new Date(Date.now() - USERNAME_HOLD_DAYS * 24 * 3600 * 1000);
      if (!(await this.users.releaseUsername(dto.username, cutoff))) {
        throw new AppError('CONFLICT', 'That username is taken');
      }
      user = await create().catch((again: unknown) => {
        throw isDuplicateKey(again) ? new AppError('CONFLICT', 'That username is taken') : again;
      });
    }
    return this.issue(user, userAgent);
  }

  /**
   * The signed-in user's password, asked again before something that cannot be undone: counted
   * with the account's sign-in attempts, FORBIDDEN when wrong (not 401: the token is fine).
   */
  async confirmPassword(user: AuthenticatedUser, password: string): Promise<void> {
    await this.rateLimiter.consume(user.id, 'confirms', 'rest');
    const found = await this.users.findWithPassword(new Types.ObjectId(user.id));
    if (
      !found?.passwordHash ||
      !(await this.hashes.verify(found.passwordHash, password, user.id))
    ) {
      throw new AppError('FORBIDDEN', 'The password is wrong');
    }
  }

  /** A new session; `address` is the client's (TRUST_PROXY), which the back-off is kept per. */
  async login(dto: LoginDto, address: string, userAgent?: string): Promise<AuthResultDto> {
    const failedBefore = await this.backoff.check(dto.username, address);
    const user = await this.users.findForLogin(dto.username);
    this.decoyHash ??= this.hashes.hash('decoy password, never matches').catch((error) => {
      this.decoyHash = undefined; // refused (a busy moment): made on a later login instead
      throw error;
    });
    // An account with no password (provisioned by an app, or a bot) fails as an unknown one does.
    const valid = await this.hashes.verify(
      user?.passwordHash || (await this.decoyHash),
      dto.password,
      address,
    );
    if (!user || !user.passwordHash || !valid) {
      await this.backoff.failed(dto.username, address);
      throw new AppError('UNAUTHORIZED', BAD_CREDENTIALS);
    }
    if (failedBefore) await this.backoff.succeeded(dto.username, address);
    const issued = await this.issue(user, userAgent);
    // Deleted while the password was checked: the deletion's session sweep may have run already.
    if ((await this.users.activeIds([user._id])).length === 0) {
      await this.sessions.endAll(user._id, 'account-deleted');
      throw new AppError('UNAUTHORIZED', BAD_CREDENTIALS);
    }
    return issued;
  }

  /** Spends a refresh token for the next pair (see SessionsService.refresh). */
  async refresh(refreshToken: string): Promise<AuthResultDto> {
    const { userId, tokens } = await this.sessions.refresh(refreshToken);
    const user = await this.users.findById(userId);
    if (!user || user.deletedAt) {
      throw new AppError('UNAUTHORIZED', 'The session has ended; sign in again');
    }
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
