import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKey } from '../../database/is-duplicate-key';
import { WebhookLease } from './webhook-lease.schema';

/** The webhook_leases collection: the only class that touches it. */
@Injectable()
export class WebhookLeasesRepository {
  constructor(@InjectModel(WebhookLease.name) private readonly leases: Model<WebhookLease>) {}

  /** Whether `owner` holds `id` now: it just took it, or had taken it before. */
  async take(id: string, owner: string): Promise<boolean> {
    try {
      await this.leases.create({ _id: id, owner });
      return true;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    return (await this.leases.findById(id).lean())?.owner === owner;
  }

  /** A lease of a slot long past (nobody reads it again). */
  async remove(id: string): Promise<void> {
    await this.leases.deleteOne({ _id: id });
  }
}
