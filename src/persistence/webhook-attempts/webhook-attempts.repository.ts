import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted, Types } from 'mongoose';
import { WebhookAttempt } from './webhook-attempt.schema';

/** The webhook_attempts collection: the only class that touches it. */
@Injectable()
export class WebhookAttemptsRepository {
  constructor(@InjectModel(WebhookAttempt.name) private readonly attempts: Model<WebhookAttempt>) {}

  async recordMany(attempts: Omit<WebhookAttempt, '_id'>[]): Promise<void> {
    await this.attempts.insertMany(attempts, { ordered: false });
  }

  latest(appId: Types.ObjectId, limit: number): Promise<WebhookAttempt[]> {
    return this.attempts.find({ appId }).sort({ at: -1 }).limit(limit).lean();
  }

  async removeBefore(cutoff: Date): Promise<void> {
    await this.attempts.deleteMany({ at: trusted({ $lt: cutoff }) });
  }
}
