import { Types, type Connection } from 'mongoose';
import type { ChatClient, Message } from '../../../client/src';
import type { SendRecord } from './traffic';
import type { StoredForWire } from './wire-tap';

interface StoredMessage {
  _id: { toHexString(): string };
  conversationId: { toHexString(): string };
  senderId: { toHexString(): string };
  seq: number;
  clientMsgId: string | null;
  body: string;
  deletedAt: Date | null;
  rev?: number;
  reactions?: { emoji: string; count: number }[];
}

/** Each emoji and its count, in order: what a copy must agree on with history. */
const counts = (reactions: readonly { emoji: string; count: number }[] = []): string =>
  reactions.map(({ emoji, count }) => `${emoji}×${count}`).join(' ');

export interface StorageAudit {
  stored: number;
  /** Acked to the sender but not in the database. */
  ackedMissing: number;
  /** The same (sender, clientMsgId) stored more than once. */
  duplicates: number;
  /** Per conversation, seqs that are not exactly 1..n. */
  seqFaults: number;
  /** In the database, but its sender never got an ack. */
  storedNeverAcked: number;
  /** Stored messages by conversation, ascending by seq. */
  byConversation: Map<string, StoredMessage[]>;
}

/** What the database holds for `conversationIds`, checked against what senders were told. */
export async function auditStorage(
  connection: Connection,
  conversationIds: readonly string[],
  sends: readonly SendRecord[],
): Promise<StorageAudit> {
  // What was acked before the query: an ack arriving while it runs may be for a later insert.
  const acked = sends.filter((send) => send.message);
  const docs = (await connection
    .collection('messages')
    .find({ conversationId: { $in: conversationIds.map((id) => new Types.ObjectId(id)) } })
    .project({
      _id: 1,
      conversationId: 1,
      senderId: 1,
      seq: 1,
      clientMsgId: 1,
      body: 1,
      deletedAt: 1,
      rev: 1,
      reactions: 1,
    })
    .toArray()) as unknown as StoredMessage[];
  const byConversation = new Map<string, StoredMessage[]>();
  for (const doc of docs) {
    const id = doc.conversationId.toHexString();
    byConversation.set(id, [...(byConversation.get(id) ?? []), doc]);
  }
  let seqFaults = 0;
  for (const list of byConversation.values()) {
    list.sort((a, b) => a.seq - b.seq);
    list.forEach((doc, i) => {
      if (doc.seq !== i + 1) seqFaults += 1;
    });
  }
  const keys = new Map<string, number>();
  for (const doc of docs) {
    const key = `${doc.senderId.toHexString()}:${doc.clientMsgId}`;
    keys.set(key, (keys.get(key) ?? 0) + 1);
  }
  const storedIds = new Set(docs.map((doc) => doc._id.toHexString()));
  const ackedKeys = new Set(
    sends.filter((send) => send.message).map((send) => `${send.senderId}:${send.clientMsgId}`),
  );
  return {
    stored: docs.length,
    ackedMissing: acked.filter((send) => !storedIds.has(send.message?.id ?? '')).length,
    duplicates: [...keys.values()].filter((count) => count > 1).length,
    seqFaults,
    storedNeverAcked: [...keys.keys()].filter((key) => !ackedKeys.has(key)).length,
    byConversation,
  };
}

export interface DeliveryAudit {
  /** Stored messages of a member's conversations that the member never received. */
  missing: number;
  /** Received after a message with a higher or equal seq (same conversation). */
  orderViolations: number;
  /** Received more than once. */
  duplicates: number;
}

/** What one member received, against what was stored in the conversations they belong to. */
export function auditDelivery(
  received: readonly Message[],
  stored: Map<string, { seq: number }[]>,
  conversationIds: readonly string[],
): DeliveryAudit {
  const audit: DeliveryAudit = { missing: 0, orderViolations: 0, duplicates: 0 };
  for (const conversationId of conversationIds) {
    const got = received.filter((message) => message.conversationId === conversationId);
    const seen = new Set<number>();
    got.forEach((message, i) => {
      if (seen.has(message.seq)) audit.duplicates += 1;
      seen.add(message.seq);
      if (i > 0 && message.seq <= got[i - 1].seq) audit.orderViolations += 1;
    });
    for (const { seq } of stored.get(conversationId) ?? []) if (!seen.has(seq)) audit.missing += 1;
  }
  return audit;
}

/** Every stored message by id, as the wire audit compares them. */
export function storedById(storage: StorageAudit): Map<string, StoredForWire> {
  const byId = new Map<string, StoredForWire>();
  for (const list of storage.byConversation.values())
    for (const doc of list)
      byId.set(doc._id.toHexString(), {
        conversationId: doc.conversationId.toHexString(),
        senderId: doc.senderId.toHexString(),
        seq: doc.seq,
        body: doc.body,
        rev: doc.rev ?? 0,
      });
  return byId;
}

export const lastStoredSeq = (storage: StorageAudit, conversationId: string): number =>
  storage.byConversation.get(conversationId)?.at(-1)?.seq ?? 0;

/** Whether every member's client got to its conversation's last stored seq within `timeoutMs`. */
export async function caughtUp(
  members: readonly { client: ChatClient; conversationId: string }[],
  storage: StorageAudit,
  timeoutMs: number,
): Promise<boolean> {
  const done = (): boolean =>
    members.every(
      (m) => m.client.lastSeq(m.conversationId) === lastStoredSeq(storage, m.conversationId),
    );
  for (const deadline = Date.now() + timeoutMs; !done();) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 500)); // a late duplicate would show now
  return true;
}

/** What one client holds of each message, after applying `message` and `messageChanged`. */
export type MessageCopies = Map<string, Message>;

/** Keeps a client's copy of every message it hears of: the later rev wins, as an app would do. */
export function copiesOf(client: ChatClient): MessageCopies {
  const copies: MessageCopies = new Map();
  const keep = (message: Message): void => {
    const held = copies.get(message.id);
    if (!held || held.rev <= message.rev) copies.set(message.id, message);
  };
  client.on('message', keep);
  client.on('messageChanged', keep);
  return copies;
}

/** A client's messages whose body, deletion, reaction counts or rev differ from the stored one's. */
export function staleCopies(
  copies: MessageCopies,
  storage: StorageAudit,
  conversationId: string,
): number {
  let stale = 0;
  for (const doc of storage.byConversation.get(conversationId) ?? []) {
    const copy = copies.get(doc._id.toHexString());
    if (
      !copy ||
      copy.body !== doc.body ||
      (copy.deletedAt === null) !== (doc.deletedAt === null) ||
      counts(copy.reactions) !== counts(doc.reactions) ||
      copy.rev !== (doc.rev ?? 0)
    )
      stale += 1;
  }
  return stale;
}

/** Field-by-field sum of per-client audits of one shape. */
export function sumAudits<T extends Record<keyof T, number>>(audits: readonly T[], zero: T): T {
  const total = { ...zero };
  for (const audit of audits) {
    for (const key of Object.keys(zero) as (keyof T)[]) {
      (total[key] as number) += audit[key];
    }
  }
  return total;
}

export const totalDelivery = (audits: readonly DeliveryAudit[]): DeliveryAudit =>
  sumAudits(audits, { missing: 0, orderViolations: 0, duplicates: 0 });
