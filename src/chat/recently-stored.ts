import type { Types } from 'mongoose';

const CAPACITY = 20_000;

/**
 * The ids of the messages this process stored (or found stored) lately, by sender and
 * idempotency key. A resend is answered with one `_id` read instead of an insert that fails and a
 * lookup by key, which FerretDB can only do by scanning every message. Only ids are kept, so the
 * answer is always the message as stored now (edits included).
 */
export class RecentlyStored {
  private readonly ids = new Map<string, Types.ObjectId>();

  add(message: { _id: Types.ObjectId; senderId: Types.ObjectId; dedupeKey: string }): void {
    const key = `${message.senderId.toHexString()}:${message.dedupeKey}`;
    this.ids.delete(key);
    this.ids.set(key, message._id);
    if (this.ids.size > CAPACITY) this.ids.delete(this.ids.keys().next().value as string);
  }

  get(senderId: Types.ObjectId, dedupeKey: string): Types.ObjectId | undefined {
    return this.ids.get(`${senderId.toHexString()}:${dedupeKey}`);
  }
}
