import type { ReadGate, ReadGateLimits } from '../../common/read-gate';
import type { Message } from '../../persistence/messages/message.schema';
import type { Types } from 'mongoose';
import { AppError } from '../../common/errors/app-error';
import { dedupeKeyOf, type MessageDraft } from './message-draft';
import { messageIdFor } from './message-id';
import type { MessageStorePort } from './message-store';
import { RecentlyStored } from './recently-stored';

/** Later sends of a batch checked for being resends too, when the refused one was one. */
const RESEND_CHECKS = 32;

/**
 * Resend lookups at once, waiting, and how long one may wait: a read by `_id` scans on FerretDB,
 * and a client whose ack is late resends while its first lookup still runs, so unbounded they
 * feed on themselves when the database is slow (seen after repeated kills under load). A waiting
 * lookup is shared by the resends of the same message; one that waited longer than a client's
 * patience is refused (UNAVAILABLE: retry later).
 */
export const RESEND_READS: ReadGateLimits = { inFlight: 4, queued: 1_000, maxWaitMs: 2_000 };

/** A send as the resolver sees it. */
export interface Resendable {
  draft: MessageDraft;
  /** Rounds it was refused before. */
  attempts: number;
}

/**
 * Tells a resend (the same clientMsgId from the same sender) from a new message, with reads by
 * `_id` only: a message with a clientMsgId has an `_id` derived from it (messageIdFor), and this
 * process remembers what it stored lately. Which index refused an insert is not said by every
 * server (FerretDB is silent), so a refused send is checked here.
 */
export class ResendResolver {
  private readonly recent = new RecentlyStored();

  constructor(
    private readonly store: Pick<MessageStorePort, 'findById' | 'findDuplicate'>,
    /** Bounds the lookups by `_id` (RESEND_READS in the writer). */
    private readonly reads: ReadGate,
  ) {}

  /** A resend of what this process stored lately: one `_id` read, no insert, no dedupe scan. */
  async storedLately(draft: MessageDraft): Promise<Message | null> {
    if (draft.clientMsgId === null) return null;
    const id = this.recent.get(draft.senderId, dedupeKeyOf(draft));
    return id ? this.byId(id) : null;
  }

  /** Remembers a message stored (or found stored), to answer its resends. */
  stored(message: Message): void {
    this.recent.add(message);
  }

  /**
   * The already stored message of each send that resends a clientMsgId. The later sends are
   * checked only when the refused one was a resend (resends come in clusters: after a reconnect,
   * or from a dead process's clients); a seq taken by another process costs one read. A message
   * stored before ids were derived is found by its key, which scans on FerretDB: only for the
   * refused send, once it was refused before.
   */
  async find<T extends Resendable>(failed: T, later: readonly T[]): Promise<Map<T, Message>> {
    const duplicates = new Map<T, Message>();
    const first = await this.storedById(failed);
    if (first) {
      duplicates.set(failed, first);
      const keyed = later.filter((p) => p.draft.clientMsgId !== null).slice(0, RESEND_CHECKS);
      const found = await Promise.all(keyed.map((pending) => this.storedById(pending)));
      keyed.forEach((pending, index) => {
        const message = found[index];
        if (message) duplicates.set(pending, message);
      });
    } else if (failed.draft.clientMsgId !== null && failed.attempts > 0) {
      const legacy = await this.store
        .findDuplicate(failed.draft.senderId, dedupeKeyOf(failed.draft))
        .catch(() => null);
      if (legacy) duplicates.set(failed, legacy);
    }
    for (const message of duplicates.values()) this.recent.add(message);
    return duplicates;
  }

  /** The stored message a send with a clientMsgId resends, if any. */
  private async storedById({ draft }: Resendable): Promise<Message | null> {
    if (draft.clientMsgId === null) return null;
    const id = messageIdFor(draft.senderId, draft.clientMsgId);
    // A database error reads as "not stored" (the insert is tried again); a refusal of the gate
    // goes to the sender, who retries later.
    const found = await this.byId(id).catch((error: unknown) => {
      if (error instanceof AppError) throw error;
      return null;
    });
    return found && found.senderId.equals(draft.senderId) ? found : null;
  }

  /** A message by `_id`, through the gate: resends of one message waiting together read once. */
  private byId(id: Types.ObjectId): Promise<Message | null> {
    return this.reads.run(id.toHexString(), () => this.store.findById(id));
  }
}
