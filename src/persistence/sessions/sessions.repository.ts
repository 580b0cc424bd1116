import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted, Types } from 'mongoose';
import { Session } from './session.schema';

export type NewSession = Pick<Session, 'userId' | 'username' | 'userAgent' | 'expiresAt'>;

/** The sessions collection: the only class that touches it. */
@Injectable()
export class SessionsRepository {
  constructor(@InjectModel(Session.name) private readonly sessions: Model<Session>) {}

  async create(session: NewSession, at: Date): Promise<Session> {
    const created: Session = {
      ...session,
      _id: new Types.ObjectId(),
      generation: 0,
      rotatedAt: null,
      createdAt: at,
      lastUsedAt: at,
      revokedAt: null,
      revokedReason: null,
    };
    await this.sessions.collection.insertOne(created);
    return created;
  }

  findById(id: Types.ObjectId): Promise<Session | null> {
    return this.sessions.findById(id).lean();
  }

  /**
   * Moves the session from `generation` to the next, if it is still there and live: exactly one
   * of several concurrent refreshes with the same token wins.
   */
  async rotate(
    id: Types.ObjectId,
    generation: number,
    at: Date,
    expiresAt: Date,
  ): Promise<boolean> {
    const result = await this.sessions.updateOne(
      { _id: id, generation, revokedAt: null },
      { $set: { generation: generation + 1, rotatedAt: at, lastUsedAt: at, expiresAt } },
    );
    return result.modifiedCount > 0;
  }

  /** Ends one session; false when it was already ended. */
  async revoke(id: Types.ObjectId, reason: string, at: Date): Promise<boolean> {
    const result = await this.sessions.updateOne(
      { _id: id, revokedAt: null },
      { $set: { revokedAt: at, revokedReason: reason } },
    );
    return result.modifiedCount > 0;
  }

  /** Ends every live session of the user. */
  async revokeAll(userId: Types.ObjectId, reason: string, at: Date): Promise<void> {
    await this.sessions.updateMany(
      { userId, revokedAt: null },
      { $set: { revokedAt: at, revokedReason: reason } },
    );
  }

  /** The user's live sessions, most recently used first. */
  live(userId: Types.ObjectId, now: Date, limit: number): Promise<Session[]> {
    return this.sessions
      .find({ userId, revokedAt: null, expiresAt: trusted({ $gt: now }) })
      .sort({ lastUsedAt: -1 })
      .limit(limit)
      .lean();
  }
}
