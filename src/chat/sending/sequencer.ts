import { Types } from 'mongoose';
import { BoundedMap } from '../../common/bounded-map';
import type { Message } from '../../persistence/messages/message.schema';
import { dedupeKeyOf, type MessageDraft } from './message-draft';
import { messageIdFor } from './message-id';
import type { MessageStorePort } from './message-store';

/** Rounds that look up the next seq from the conversation's lastSeq before scanning messages. */
const HINTED_ATTEMPTS = 5;
const MAX_TRACKED_CONVERSATIONS = 10_000;

/** What this process knows of a conversation's seqs. */
interface SeqState {
  /** The highest seq known to be stored (by this process, or found taken). */
  floor: number;
  /** Whether floor + 1 is believed free, so sends can be numbered without a lookup. */
  trusted: boolean;
}

/**
 * Hands out each conversation's seqs from what this process knows of them. The unique
 * (conversationId, seq) index is the arbiter: when another process took a seq, the insert fails
 * and the conversation is looked up again (`remember(key, seq, false)`, then `lookUp`). A lookup
 * runs beside the batches, so a slow one holds up that conversation only.
 */
export class Sequencer {
  private readonly seqs = new BoundedMap<string, SeqState>(MAX_TRACKED_CONVERSATIONS);
  private readonly lookingUp = new Set<string>();

  constructor(
    private readonly store: Pick<MessageStorePort, 'latestSeq' | 'lastSeqHint'>,
    /** A lookup finished (either way): the queue may go on. */
    private readonly onSettled: () => void,
  ) {}

  /** Conversations whose next seq is being read. */
  get lookups(): number {
    return this.lookingUp.size;
  }

  /** Whether the conversation's next seq is known without a lookup. */
  isTrusted(key: string): boolean {
    return this.seqs.get(key)?.trusted === true;
  }

  /**
   * Finds the conversation's latest seq, unless a lookup is under way. First from its recorded
   * lastSeq (an `_id` lookup, never ahead of the messages, at most moments behind); only after
   * repeated collisions from the messages themselves, which on FerretDB scans the whole
   * collection (seconds at 100,000 messages). A failed lookup goes to `onFail`.
   */
  lookUp(
    key: string,
    conversationId: Types.ObjectId,
    attempts: number,
    onFail: (key: string, error: unknown) => void,
  ): void {
    if (this.lookingUp.has(key)) return;
    this.lookingUp.add(key);
    const read = async () => {
      // A random pause breaks the lockstep in which two processes keep taking each other's seq.
      if (attempts > 0) await new Promise((done) => setTimeout(done, Math.random() * 5 * attempts));
      return attempts < HINTED_ATTEMPTS
        ? this.store.lastSeqHint(conversationId)
        : this.store.latestSeq(conversationId);
    };
    read()
      .then(
        (latest) => this.remember(key, latest, true),
        (error: unknown) => onFail(key, error),
      )
      .finally(() => {
        this.lookingUp.delete(key);
        this.onSettled();
      });
  }

  /** Numbers each send from its conversation's floor, in arrival order: the documents to insert. */
  assign(batch: readonly { draft: MessageDraft; key: string }[]): Message[] {
    const next = new Map<string, number>();
    const createdAt = new Date();
    return batch.map(({ draft, key }) => {
      const seq = next.get(key) ?? (this.seqs.get(key)?.floor ?? 0) + 1;
      next.set(key, seq + 1);
      const _id =
        draft.clientMsgId === null
          ? new Types.ObjectId()
          : messageIdFor(draft.senderId, draft.clientMsgId);
      return {
        _id,
        conversationId: draft.conversationId,
        seq,
        senderId: draft.senderId,
        receiverId: draft.receiverId,
        body: draft.body,
        clientMsgId: draft.clientMsgId,
        dedupeKey: draft.clientMsgId === null ? `m:${_id.toHexString()}` : dedupeKeyOf(draft),
        createdAt,
        editedAt: null,
        deletedAt: null,
        rev: 0,
        replyTo: draft.replyTo,
        mentions: draft.mentions,
        reactions: [],
        attachments: draft.attachments,
      };
    });
  }

  /** Raises the floor (never lowers it) and sets whether floor + 1 can be used without a lookup. */
  remember(key: string, stored: number, trusted: boolean): void {
    const floor = Math.max(this.seqs.get(key)?.floor ?? 0, stored);
    this.seqs.set(key, { floor, trusted });
  }
}
