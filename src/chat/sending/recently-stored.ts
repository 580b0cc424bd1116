import type { Types } from 'mongoose';
import { BoundedMap } from '../../common/bounded-map';

const CAPACITY = 20_000;

/**
 * The ids of the messages this process stored (or found stored) lately, by sender and
 * idempotency key. A resend is answered with one `_id` read instead of an insert that fails and a
 * lookup by key, which FerretDB can only do by scanning every message. Only ids are kept, so the
 * answer is always the message as stored now (edits included).
 */
export class RecentlyStored {
  private readonly ids = new BoundedMap<string, Types.ObjectId>(CAPACITY);

  add(message: { _id: Types.ObjectId; senderId: Types.ObjectId; dedupeKey: string }): void {
    const key = `${message.senderId.toHexString()}:${message.dedupeKey}`;
    this.ids.set(key, message._id);
  }

  get(senderId: Types.ObjectId, dedupeKey: string): Types.ObjectId | undefined {
    return this.ids.get(`${senderId.toHexString()}:${dedupeKey}`);
  }
}
