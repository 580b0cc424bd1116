import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted, Types } from 'mongoose';
import { isDuplicateKey } from '../../database/is-duplicate-key';
import { InstanceRole, User } from './user.schema';

/** The users collection: the only class that touches it. */
@Injectable()
export class UsersRepository {
  constructor(@InjectModel(User.name) private readonly users: Model<User>) {}

  /** Stores a new user; a taken username is a duplicate key error (the unique index decides). */
  async create(user: Pick<User, 'username' | 'displayName' | 'passwordHash'>): Promise<User> {
    return (await this.users.create(user)).toObject();
  }

  /**
   * A user made by an app (provisioned, or its bot) under an id chosen beforehand; no password.
   * A taken username, or an id already made, is a duplicate key error.
   */
  async createWithoutPassword(
    user: Pick<User, '_id' | 'username' | 'displayName'> & { bot: boolean },
  ): Promise<User> {
    return (await this.users.create({ ...user, passwordHash: '' })).toObject();
  }

  /** Renames (a taken username is a duplicate key error); null when there is no live user. */
  async updateProfile(
    id: Types.ObjectId,
    set: Pick<User, 'username' | 'displayName'>,
  ): Promise<User | null> {
    // Not findOneAndUpdate: on FerretDB v1 it cannot leave out the hidden password hash.
    const result = await this.users.updateOne({ _id: id, deletedAt: null }, { $set: set });
    return result.matchedCount > 0 ? this.findById(id) : null;
  }

  /** Grants or revokes instance admin by username; false when there is no such live user. */
  async setRole(username: string, role: InstanceRole): Promise<boolean> {
    // A bot acts through its app's scopes, never as an admin.
    const result = await this.users.updateOne(
      { username, deletedAt: null, bot: trusted({ $ne: true }) },
      { $set: { role } },
    );
    return result.matchedCount > 0;
  }

  /** The live user's instance role (read on every admin request, so a revoke holds at once). */
  async roleOf(id: Types.ObjectId): Promise<InstanceRole | null> {
    const user = await this.users.findOne({ _id: id, deletedAt: null }, { role: 1 }).lean();
    return user ? (user.role ?? 'user') : null;
  }

  findById(id: Types.ObjectId): Promise<User | null> {
    return this.users.findById(id).lean();
  }

  /** Only who it is: read on every authenticated request, so nothing more. */
  findIdentity(id: Types.ObjectId): Promise<Pick<User, '_id' | 'username'> | null> {
    return this.users.findById(id, { username: 1 }).lean();
  }

  /** With its password hash, which no other read returns; never a deleted account. */
  findForLogin(username: string): Promise<User | null> {
    return this.users.findOne({ username, deletedAt: null }).select('+passwordHash').lean();
  }

  /** As findForLogin, by id (to confirm a signed-in user's password). */
  findWithPassword(id: Types.ObjectId): Promise<User | null> {
    return this.users.findOne({ _id: id, deletedAt: null }).select('+passwordHash').lean();
  }

  /**
   * The account is gone, before anything else is erased: no sign-in (no password), a neutral
   * name, the username kept a while; its erasing held by the caller until `erasingUntil`. False
   * when it was already deleted.
   */
  async markDeleted(id: Types.ObjectId, at: Date, erasingUntil: Date): Promise<boolean> {
    const result = await this.users.updateOne(
      { _id: id, deletedAt: null },
      { $set: { deletedAt: at, displayName: 'Deleted user', passwordHash: '', erasingUntil } },
    );
    return result.modifiedCount > 0;
  }

  /** A deleted account whose erasing nobody holds any more (its process died), now held until `until`. */
  async claimUnfinishedErasure(now: Date, until: Date): Promise<Types.ObjectId | null> {
    const lapsed = await this.users
      .findOne({ erasingUntil: trusted({ $lt: now }) }, { _id: 1, erasingUntil: 1 })
      .lean();
    if (!lapsed) return null;
    // Compare and set (findOneAndUpdate cannot skip the hidden password on FerretDB v1): of
    // several processes sweeping at once, one takes it; the others look again.
    const taken = await this.users.updateOne(
      { _id: lapsed._id, erasingUntil: lapsed.erasingUntil },
      { $set: { erasingUntil: until } },
    );
    return taken.modifiedCount > 0 ? lapsed._id : this.claimUnfinishedErasure(now, until);
  }

  /**
   * The erasing is done. The deletion is stated again first: on FerretDB v1 a write to the user
   * that read it before `markDeleted` (a profile edit, a role change) may have put back what the
   * mark took away, and the account must not come back to life.
   */
  async markErased(id: Types.ObjectId, now: Date): Promise<void> {
    await this.users.updateOne({ _id: id, deletedAt: null }, { $set: { deletedAt: now } });
    await this.users.updateOne(
      { _id: id },
      { $set: { displayName: 'Deleted user', passwordHash: '', erasingUntil: null } },
    );
  }

  /**
   * Frees `username` if it belongs to an account deleted before `cutoff` (that account keeps a
   * name no one can register: `deleted-<id>`); true when it did.
   */
  async releaseUsername(username: string, cutoff: Date): Promise<boolean> {
    const held = await this.users
      .findOne({ username, deletedAt: trusted({ $lte: cutoff }) }, { _id: 1 })
      .lean();
    if (!held) return false;
    const renamed = `deleted-${held._id.toHexString()}`;
    try {
      const result = await this.users.updateOne(
        { _id: held._id, username },
        { $set: { username: renamed } },
      );
      return result.modifiedCount > 0;
    } catch (error) {
      // An account registered that name before it was reserved: the old name stays held.
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** Up to `limit` users whose username starts with `prefix`, by username: an index range scan. */
  searchByPrefix(prefix: string, limit: number): Promise<User[]> {
    const filter = {
      deletedAt: null,
      ...(prefix ? { username: trusted({ $gte: prefix, $lt: `${prefix}\uffff` }) } : {}),
    };
    return this.users.find(filter).sort({ username: 1 }).limit(limit).lean();
  }

  /** The ids of the users with these usernames (those that exist). */
  async idsOfUsernames(usernames: string[]): Promise<Types.ObjectId[]> {
    const users = await this.users
      .find({ username: trusted({ $in: usernames }) }, { _id: 1 })
      .lean();
    return users.map((user) => user._id);
  }

  /** Those of `ids` that name a user whose account is not deleted (or being deleted). */
  async activeIds(ids: Types.ObjectId[]): Promise<Types.ObjectId[]> {
    const users = await this.users
      .find({ _id: trusted({ $in: ids }), deletedAt: null }, { _id: 1 })
      .lean();
    return users.map((user) => user._id);
  }
}
