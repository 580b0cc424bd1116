import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted, Types } from 'mongoose';
import { App, WebhookEndpoint } from './app.schema';

/** The apps collection: the only class that touches it. */
@Injectable()
export class AppsRepository {
  constructor(@InjectModel(App.name) private readonly apps: Model<App>) {}

  async create(app: Omit<App, 'createdAt'>): Promise<App> {
    return (await this.apps.create(app)).toObject();
  }

  findById(id: Types.ObjectId): Promise<App | null> {
    return this.apps.findById(id).lean();
  }

  list(): Promise<App[]> {
    return this.apps.find().sort({ createdAt: 1 }).limit(1000).lean();
  }

  /** Every app with an active webhook endpoint (the deliverer's work list). */
  withActiveWebhooks(): Promise<App[]> {
    return this.apps.find({ 'webhook.status': 'active' }).lean();
  }

  async update(
    id: Types.ObjectId,
    set: Partial<Pick<App, 'name' | 'scopes' | 'webhook'>>,
  ): Promise<App | null> {
    return this.apps.findByIdAndUpdate(id, { $set: set }, { returnDocument: 'after' }).lean();
  }

  /** The endpoint's state moves (disable, enable, replay); null when the app or endpoint is gone. */
  async updateWebhook(
    id: Types.ObjectId,
    set: Partial<
      Pick<WebhookEndpoint, 'status' | 'disabledReason' | 'replaySince' | 'replayGeneration'>
    >,
    bumpGeneration: boolean,
  ): Promise<App | null> {
    const fields = Object.fromEntries(
      Object.entries(set).map(([name, value]) => [`webhook.${name}`, value]),
    );
    return this.apps
      .findOneAndUpdate(
        { _id: id, webhook: trusted({ $ne: null }) },
        { $set: fields, ...(bumpGeneration ? { $inc: { 'webhook.generation': 1 } } : {}) },
        { returnDocument: 'after' },
      )
      .lean();
  }

  async delete(id: Types.ObjectId): Promise<boolean> {
    return (await this.apps.deleteOne({ _id: id })).deletedCount > 0;
  }
}
