import type { Model, Types } from 'mongoose';
import type { Message } from './schemas/message.schema';

/** The highest stored seq of a conversation, 0 when it has no messages. */
export async function latestSeq(
  messages: Model<Message>,
  conversationId: Types.ObjectId,
): Promise<number> {
  const last = await messages.findOne({ conversationId }, { seq: 1 }).sort({ seq: -1 }).lean();
  return last?.seq ?? 0;
}
