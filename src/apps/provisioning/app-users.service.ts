import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../../common/errors/app-error';
import { serialize } from '../../common/serialize';
import { isDuplicateKey } from '../../database/is-duplicate-key';
import type { AuthenticatedUser } from '../../identity/authenticated-user';
import { AuthResultDto } from '../../identity/dto/auth-result.dto';
import { UserDto } from '../../identity/dto/user.dto';
import { SessionsService } from '../../identity/sessions.service';
import { ExternalUsersRepository } from '../../persistence/external-users/external-users.repository';
import { UsersRepository } from '../../persistence/users/users.repository';
import type { ProvisionUserDto } from '../dto/provision-user.dto';
import { EXTERNAL_ID } from '../dto/provision-user.dto';

type Caller = Required<Pick<AuthenticatedUser, 'app'>>;

/** Users an app keeps in step with its own product: by its id for them, signed in by its SSO. */
@Injectable()
export class AppUsersService {
  constructor(
    private readonly links: ExternalUsersRepository,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsService,
  ) {}

  /**
   * Creates the user linked to `externalId` (no password: it cannot sign in with one), or updates
   * its name; `created` says which.
   */
  async put(
    caller: Caller,
    externalId: string,
    dto: ProvisionUserDto,
  ): Promise<{ user: UserDto; created: boolean }> {
    const appId = this.appOf(caller);
    const profile = {
      username: dto.username,
      displayName: dto.displayName?.trim() || dto.username,
    };
    const { userId, created } = await this.links.link(
      appId,
      requireExternalId(externalId),
      new Types.ObjectId(),
    );
    const existing = created ? null : await this.users.findById(userId);
    if (existing?.deletedAt) throw new AppError('NOT_FOUND', 'That user was deleted');
    try {
      // A link made by a provisioning cut off before its user: that user is made now.
      const user = existing
        ? await this.users.updateProfile(userId, profile)
        : await this.users.createWithoutPassword({ _id: userId, ...profile, bot: false });
      if (!user) throw new AppError('NOT_FOUND', 'That user was deleted');
      return { user: serialize(UserDto, user), created: !existing };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // Two first provisionings at once: the other made the user; this one updates it.
      const made = await this.users.findById(userId);
      if (made && !existing) return this.put(caller, externalId, dto);
      throw new AppError('CONFLICT', 'That username is taken');
    }
  }

  /** A session for the linked user, as a sign-in would make. */
  async signIn(caller: Caller, externalId: string, userAgent?: string): Promise<AuthResultDto> {
    const user = await this.require(caller, externalId);
    return { user: serialize(UserDto, user), ...(await this.sessions.start(user, userAgent)) };
  }

  /** Ends every session of the linked user (its sockets are dropped everywhere). */
  async signOut(caller: Caller, externalId: string): Promise<void> {
    const user = await this.require(caller, externalId);
    await this.sessions.endAll(user._id, 'revoked');
  }

  /** The user the app linked to `externalId`; NOT_FOUND for another app's or a deleted one. */
  async require(caller: Caller, externalId: string) {
    const userId = await this.links.find(this.appOf(caller), requireExternalId(externalId));
    const user = userId && (await this.users.findById(userId));
    if (!user || user.deletedAt) throw new AppError('NOT_FOUND', 'User not found');
    return user;
  }

  private appOf(caller: Caller): Types.ObjectId {
    return new Types.ObjectId(caller.app.id);
  }
}

function requireExternalId(externalId: string): string {
  if (!EXTERNAL_ID.test(externalId)) {
    throw new AppError('VALIDATION_FAILED', 'externalId must be 1-128 of A-Z a-z 0-9 _ . : @ -');
  }
  return externalId;
}
