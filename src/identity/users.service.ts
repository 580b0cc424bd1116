import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted, Types } from 'mongoose';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { serialize } from '../common/serialize';
import { UserDto } from './dto/user.dto';
import { User } from './schemas/user.schema';

const SEARCH_LIMIT = 20;

@Injectable()
export class UsersService {
  constructor(@InjectModel(User.name) private readonly users: Model<User>) {}

  async findById(id: string | Types.ObjectId): Promise<UserDto | null> {
    const user = await this.users.findById(id).lean();
    return user ? serialize(UserDto, user) : null;
  }

  async getById(id: string): Promise<UserDto> {
    const user = await this.findById(parseId(id, 'User'));
    if (!user) throw new AppError('NOT_FOUND', 'User not found');
    return user;
  }

  /** Prefix search as an index range scan: no regular expression is built from user input. */
  async search(prefix = ''): Promise<UserDto[]> {
    const from = prefix.toLowerCase();
    const filter = from ? { username: trusted({ $gte: from, $lt: `${from}\uffff` }) } : {};
    const users = await this.users.find(filter).sort({ username: 1 }).limit(SEARCH_LIMIT).lean();
    return users.map((user) => serialize(UserDto, user));
  }

  async touchLastSeen(userId: string, at: Date): Promise<void> {
    await this.users.updateOne({ _id: parseId(userId, 'User') }, { $set: { lastSeenAt: at } });
  }

  async lastSeen(userIds: readonly string[]): Promise<Map<string, Date | null>> {
    if (userIds.length === 0) return new Map();
    const ids = userIds.map((id) => parseId(id, 'User'));
    const users = await this.users.find({ _id: trusted({ $in: ids }) }, { lastSeenAt: 1 }).lean();
    return new Map(users.map((user) => [user._id.toHexString(), user.lastSeenAt ?? null]));
  }

  async existingIds(ids: Types.ObjectId[]): Promise<Types.ObjectId[]> {
    const users = await this.users.find({ _id: trusted({ $in: ids }) }, { _id: 1 }).lean();
    return users.map((user) => user._id);
  }
}
