import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Types } from 'mongoose';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { serialize } from '../common/serialize';
import { BlocksRepository } from '../persistence/blocks/blocks.repository';
import { UsersRepository } from '../persistence/users/users.repository';
import { BlockChanged } from './block-events';
import { UserDto } from './dto/user.dto';

/**
 * Who blocked whom. A blocked user cannot open or send into a direct conversation with the one
 * who blocked them, add them to a group, or see their presence, and the blocker stops receiving
 * their typing (each enforced where it happens; group messages still flow).
 */
@Injectable()
export class BlocksService {
  constructor(
    private readonly blocks: BlocksRepository,
    private readonly users: UsersRepository,
    private readonly events: EventEmitter2,
  ) {}

  /** Blocks (`on`) or unblocks `otherId`; repeating either changes nothing. */
  async set(userId: string, otherId: string, on: boolean): Promise<void> {
    const me = parseId(userId, 'User');
    const other = parseId(otherId, 'User');
    if (me.equals(other)) throw new AppError('VALIDATION_FAILED', 'You cannot block yourself');
    if ((await this.users.activeIds([other])).length === 0) {
      throw new AppError('NOT_FOUND', 'User not found');
    }
    if (on) await this.blocks.add(me, other);
    else await this.blocks.remove(me, other);
    // Also on a repeat: it puts right a direct conversation a crash left behind.
    await this.events.emitAsync(BlockChanged.event, new BlockChanged(me, other, on));
  }

  /** The users `userId` blocked, latest first. */
  async list(userId: string): Promise<UserDto[]> {
    const ids = await this.blocks.blockedBy(parseId(userId, 'User'));
    const users = await Promise.all(ids.map((id) => this.users.findById(id)));
    return users.flatMap((user) => (user ? [serialize(UserDto, user)] : []));
  }

  /** Whether `blockerId` blocked `blockedId`. */
  has(blockerId: Types.ObjectId, blockedId: Types.ObjectId): Promise<boolean> {
    return this.blocks.exists(blockerId, blockedId);
  }

  /** Of `userIds`, those who blocked `blockedId` (hex ids in, hex ids out). */
  async blockersAmong(blockedId: string, userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const found = await this.blocks.blockersAmong(
      parseId(blockedId, 'User'),
      userIds.map((id) => parseId(id, 'User')),
    );
    return new Set(found.map((id) => id.toHexString()));
  }

  /** Whom `userId` blocked (hex ids). */
  async blockedBy(userId: string): Promise<Set<string>> {
    const found = await this.blocks.blockedBy(parseId(userId, 'User'));
    return new Set(found.map((id) => id.toHexString()));
  }
}
