import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { AppKey } from './app-key.schema';

/** The app_keys collection: the only class that touches it. */
@Injectable()
export class AppKeysRepository {
  constructor(@InjectModel(AppKey.name) private readonly keys: Model<AppKey>) {}

  async create(key: Omit<AppKey, 'createdAt'>): Promise<AppKey> {
    return (await this.keys.create(key)).toObject();
  }

  findById(id: Types.ObjectId): Promise<AppKey | null> {
    return this.keys.findById(id).lean();
  }

  ofApp(appId: Types.ObjectId): Promise<AppKey[]> {
    return this.keys.find({ appId }).sort({ createdAt: 1 }).lean();
  }

  async delete(appId: Types.ObjectId, id: Types.ObjectId): Promise<boolean> {
    return (await this.keys.deleteOne({ _id: id, appId })).deletedCount > 0;
  }

  async deleteOfApp(appId: Types.ObjectId): Promise<void> {
    await this.keys.deleteMany({ appId });
  }
}
