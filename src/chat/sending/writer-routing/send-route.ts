import { AppError } from '../../../common/errors/app-error';
import type { SendResult } from '../../../realtime/realtime.events';
import type { MessageDraft } from '../message-draft';
import { type ForwardReply, ForwardUnanswered, type SendForwarding } from './send-forwarding';
import type { WriterLeases } from './writer-leases';

/** Times a send follows a lease that moved before it is written here (the index arbitrates). */
export const MAX_HOPS = 3;

export interface RouteParts {
  leases: Pick<WriterLeases, 'processId' | 'holderOf' | 'takeOver' | 'forget'>;
  forwarding: Pick<SendForwarding, 'forward'>;
  /** Writes the send in this process (MessageWriter.write). */
  writeHere: (draft: MessageDraft) => Promise<SendResult>;
  /** Counts a forward's outcome (chat_sends_forwarded_total). */
  counted: (outcome: string) => void;
}

/**
 * Where one send is written, decided: here when this process holds the conversation's lease or
 * nobody can say (Redis away: the unique index arbitrates); else forwarded to the holder, whose
 * answer is the send's. A holder not listening (killed) is taken over; one that no longer holds
 * the lease sends us to look again, at most MAX_HOPS times; one that does not answer in time
 * makes the send UNAVAILABLE (it may be stored: the client's retry with its clientMsgId finds
 * out).
 */
export async function routeSend(draft: MessageDraft, parts: RouteParts): Promise<SendResult> {
  const { leases, forwarding } = parts;
  const key = draft.conversationId.toHexString();
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const holder = await leases.holderOf(key);
    if (holder === null || holder === leases.processId) return parts.writeHere(draft);
    let reply: ForwardReply;
    try {
      reply = await forwarding.forward(holder, draft);
    } catch (error) {
      if (!(error instanceof ForwardUnanswered)) throw error;
      parts.counted(error.reason);
      if (error.reason === 'unreachable') return parts.writeHere(draft);
      if (error.reason === 'not-listening') {
        await leases.takeOver(key, holder);
        continue;
      }
      leases.forget(key);
      throw new AppError('UNAVAILABLE', 'The server is too busy right now; retry shortly');
    }
    parts.counted(reply.kind);
    if (reply.kind === 'stored') return reply.result;
    if (reply.kind === 'refused') {
      throw new AppError(reply.code, reply.message, reply.retryAfterSeconds);
    }
    leases.forget(key);
  }
  return parts.writeHere(draft);
}
