import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted, Types } from 'mongoose';
import { isDuplicateKey } from '../../database/is-duplicate-key';
import { ExternalUser } from './external-user.schema';

const keyOf = (appId: Types.ObjectId, externalId: string) => `${appId.toHexString()}:${externalId}`;

/** The external_users collection: the only class that touches it. */
@Injectable()
export class ExternalUsersRepository {
  constructor(@InjectModel(ExternalUser.name) private readonly links: Model<ExternalUser>) {}

  /** The user linked to `externalId` in the app, linking `candidate` when there is none yet. */
  async link(
    appId: Types.ObjectId,
    externalId: string,
    candidate: Types.ObjectId,
  ): Promise<{ userId: Types.ObjectId; created: boolean }> {
    const _id = keyOf(appId, externalId);
    try {
      await this.links.create({ _id, appId, userId: candidate });
      return { userId: candidate, created: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const found = await this.links.findById(_id).lean();
    if (!found) throw new Error('An external user link vanished while being read');
    return { userId: found.userId, created: false };
  }

  async find(appId: Types.ObjectId, externalId: string): Promise<Types.ObjectId | null> {
    return (await this.links.findById(keyOf(appId, externalId)).lean())?.userId ?? null;
  }

  /** Those of `userIds` the app provisioned. */
  async linkedAmong(appId: Types.ObjectId, userIds: Types.ObjectId[]): Promise<Set<string>> {
    const links = await this.links
      .find({ appId, userId: trusted({ $in: userIds }) }, { userId: 1 })
      .lean();
    return new Set(links.map((link) => link.userId.toHexString()));
  }

  async deleteOfApp(appId: Types.ObjectId): Promise<void> {
    await this.links.deleteMany({ appId });
  }
}
