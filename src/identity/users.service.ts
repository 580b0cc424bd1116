import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { serialize } from '../common/serialize';
import { UserDto } from './dto/user.dto';
import { LastSeenRepository } from '../persistence/last-seen/last-seen.repository';
import { UsersRepository } from '../persistence/users/users.repository';

const SEARCH_LIMIT = 20;

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly lastSeenTimes: LastSeenRepository,
  ) {}

  async findById(id: Types.ObjectId): Promise<UserDto | null> {
    const user = await this.users.findById(id);
    return user ? serialize(UserDto, user) : null;
  }

  async getById(id: string): Promise<UserDto> {
    const user = await this.findById(parseId(id, 'User'));
    if (!user) throw new AppError('NOT_FOUND', 'User not found');
    return user;
  }

  /** Prefix search as an index range scan: no regular expression is built from user input. */
  async search(prefix = ''): Promise<UserDto[]> {
    const users = await this.users.searchByPrefix(prefix.toLowerCase(), SEARCH_LIMIT);
    return users.map((user) => serialize(UserDto, user));
  }

  /** Read on every admin request, so a revoke from the command line holds at once. */
  async isInstanceAdmin(id: string): Promise<boolean> {
    return (await this.users.roleOf(parseId(id, 'User'))) === 'admin';
  }

  async touchLastSeen(userId: string, at: Date): Promise<void> {
    await this.lastSeenTimes.record(parseId(userId, 'User'), at);
  }

  /** Each user's last-seen time (online users only are asked, and each has one since connecting). */
  async lastSeen(userIds: readonly string[]): Promise<Map<string, Date>> {
    if (userIds.length === 0) return new Map();
    return this.lastSeenTimes.of(userIds.map((id) => parseId(id, 'User')));
  }

  /** Those of `candidates` (lowercased usernames) that are among `memberIds`, as ids. */
  async membersNamed(
    candidates: string[],
    memberIds: readonly Types.ObjectId[],
  ): Promise<Types.ObjectId[]> {
    if (candidates.length === 0) return [];
    const found = await this.users.idsOfUsernames(candidates);
    return found.filter((id) => memberIds.some((member) => member.equals(id)));
  }

  /** NOT_FOUND naming those of `ids` that are no user (or a deleted one). */
  async requireActive(ids: Types.ObjectId[]): Promise<void> {
    const found = new Set((await this.users.activeIds(ids)).map((id) => id.toHexString()));
    const missing = ids.filter((id) => !found.has(id.toHexString()));
    if (missing.length > 0) {
      throw new AppError('NOT_FOUND', `User not found: ${missing.map(String).join(', ')}`);
    }
  }
}
