import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { BoundedMap } from '../common/bounded-map';
import { AppError } from '../common/errors/app-error';
import { isDuplicateKey } from '../database/is-duplicate-key';
import type { Change } from '../persistence/changes/change.schema';
import { ChangesRepository } from '../persistence/changes/changes.repository';

/** What a caller says about a change; the log numbers and dates it. */
export type ChangeDraft = Pick<Change, 'kind' | 'actorId'> &
  Partial<Pick<Change, 'messageId' | 'message' | 'userId'>>;

/**
 * A draft made once the rev to try is known, again on every try: what it carries (a message's
 * reactions, counted from their records) is then read after every earlier rev was stored, so the
 * change that wins a rev never misses what an earlier one counted. Null: nothing to record.
 */
export type DraftBuilder = () => Promise<ChangeDraft | null>;

/** Tries at numbering one change before the caller is told UNAVAILABLE (other processes won each). */
const MAX_ATTEMPTS = 20;
const MAX_TRACKED_CONVERSATIONS = 10_000;

/**
 * Numbers and stores each change of a conversation with the next `rev`. Within a process, callers
 * hold the conversation's turn (ConversationTurns), so the next rev is known from the last one;
 * another process taking it first shows as a duplicate key on the unique (conversationId, rev)
 * index, and the rev is looked up again. Nothing is emitted here: callers tell clients after.
 */
@Injectable()
export class ChangeLog {
  private readonly floors = new BoundedMap<string, number>(MAX_TRACKED_CONVERSATIONS);

  constructor(private readonly changes: ChangesRepository) {}

  async record(conversationId: Types.ObjectId, draft: ChangeDraft): Promise<Change>;
  async record(conversationId: Types.ObjectId, build: DraftBuilder): Promise<Change | null>;
  async record(
    conversationId: Types.ObjectId,
    source: ChangeDraft | DraftBuilder,
  ): Promise<Change | null> {
    const key = conversationId.toHexString();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const floor = this.floors.get(key) ?? (await this.changes.latestRev(conversationId));
      const draft = typeof source === 'function' ? await source() : source;
      if (!draft) return null;
      const change: Change = {
        _id: new Types.ObjectId(),
        conversationId,
        rev: floor + 1,
        kind: draft.kind,
        at: new Date(),
        actorId: draft.actorId,
        messageId: draft.messageId ?? null,
        message: draft.message ?? null,
        userId: draft.userId ?? null,
      };
      try {
        await this.changes.insert(change);
        this.floors.set(key, change.rev);
        return change;
      } catch (error) {
        // Unknown outcome or a lost race: either way the rev must be looked up before the next try.
        this.floors.delete(key);
        if (!isDuplicateKey(error)) throw error;
        // A random pause breaks the lockstep in which two processes keep taking each other's rev.
        await new Promise((done) => setTimeout(done, Math.random() * 5 * attempt));
      }
    }
    throw new AppError('UNAVAILABLE', 'The conversation is too busy right now; retry shortly');
  }

  /** A deleted message's text goes from every change that copied it (or quoted it: `quoted`). */
  eraseTextOf(messageId: Types.ObjectId, deletedAt: Date, quoted: boolean): Promise<void> {
    return this.changes.eraseTextOf(messageId, deletedAt, quoted);
  }

  latestRev(conversationId: Types.ObjectId): Promise<number> {
    return this.changes.latestRev(conversationId);
  }
}
