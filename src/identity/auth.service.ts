import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Types } from 'mongoose';
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

interface TokenClaims {
  sub: string;
}

const BAD_CREDENTIALS = 'Invalid username or password';

@Injectable()
export class AuthService {
  // Verified against when the user is unknown, so both failures cost the same time.
  private decoyHash?: Promise<string>;

  constructor(
    private readonly users: UsersRepository,
    private readonly jwt: JwtService,
    private readonly hashes: PasswordHashes,
    private readonly rateLimiter: UserRateLimiter,
  ) {}

  async register(dto: RegisterDto): Promise<AuthResultDto> {
    const passwordHash = await this.hashes.hash(dto.password);
    const displayName = dto.displayName?.trim() || dto.username;
    try {
      const user = await this.users.create({ username: dto.username, displayName, passwordHash });
      return await this.issue(user);
    } catch (error) {
      if (isDuplicateKey(error)) {
        throw new AppError('CONFLICT', 'That username is taken');
      }
      throw error;
    }
  }

  async login(dto: LoginDto): Promise<AuthResultDto> {
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
    return this.issue(user);
  }

  /** Verifies a bearer token and that its user still exists. */
  async authenticate(token: unknown): Promise<AuthenticatedUser> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
      throw new AppError('UNAUTHORIZED', 'A valid access token is required');
    }
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token);
    } catch {
      throw new AppError('UNAUTHORIZED', 'The access token is invalid or expired');
    }
    const user = Types.ObjectId.isValid(claims.sub)
      ? await this.users.findIdentity(new Types.ObjectId(claims.sub))
      : null;
    if (!user) throw new AppError('UNAUTHORIZED', 'The access token is invalid or expired');
    return { id: user._id.toHexString(), username: user.username };
  }

  private async issue(user: User): Promise<AuthResultDto> {
    const accessToken = await this.jwt.signAsync({ sub: user._id.toHexString() });
    return { user: serialize(UserDto, user), accessToken };
  }
}
