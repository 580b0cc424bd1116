import { createHash } from 'node:crypto';
import { Types } from 'mongoose';

/**
 * The `_id` of a message sent with a clientMsgId, derived from the sender and that key: a resend
 * maps to the same `_id`, so whether it is stored already is one read by `_id`, the one lookup
 * FerretDB does without scanning the collection. (Ids are not secrets: access is by membership.)
 */
export function messageIdFor(senderId: Types.ObjectId, clientMsgId: string): Types.ObjectId {
  const digest = createHash('sha256').update(`${senderId.toHexString()}\n${clientMsgId}`).digest();
  return new Types.ObjectId(digest.subarray(0, 12));
}
