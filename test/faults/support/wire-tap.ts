import type { Manager } from 'socket.io-client';
import type { ChatClient, Message } from '../../../client/src';
import { sumAudits } from './audit';
import type { Figure } from './report';

/** How a message reached a client: pushed live, in a send's ack, or in a sync page. */
export type WireKind = 'message:new' | 'ack' | 'sync';

export interface WireMessage {
  kind: WireKind;
  message: Message;
}

// socket.io's packet types (socket.io-parser): only events and acks carry messages.
const EVENT = 2;
const ACK = 3;

interface Packet {
  type: number;
  /** An array for events and acks; an object for a CONNECT. */
  data?: unknown;
}

const isMessage = (value: unknown): value is Message =>
  typeof value === 'object' && value !== null && 'id' in value && 'seq' in value;

/**
 * Records every message a ChatClient's connection decodes, before the library drops repeats,
 * holds early seqs or reorders anything: what the server really sent. It listens on the
 * client's socket.io Manager (one per client, kept across reconnects), which ChatClient keeps
 * private, hence the cast.
 */
export function tapWire(client: ChatClient): WireMessage[] {
  const heard: WireMessage[] = [];
  const manager = (client as unknown as { socket: { io: Manager } }).socket.io;
  manager.on('packet', (packet: Packet) => {
    if (!Array.isArray(packet.data)) return;
    const [first, second] = packet.data as unknown[];
    if (packet.type === EVENT && first === 'message:new' && isMessage(second)) {
      heard.push({ kind: 'message:new', message: second });
    }
    if (packet.type === ACK && typeof first === 'object' && first !== null) {
      const reply = first as { ok?: boolean; message?: unknown; items?: unknown };
      if (reply.ok !== true) return;
      if (isMessage(reply.message)) heard.push({ kind: 'ack', message: reply.message });
      if (Array.isArray(reply.items)) {
        for (const item of reply.items)
          if (isMessage(item)) heard.push({ kind: 'sync', message: item });
      }
    }
  });
  return heard;
}

export interface StoredForWire {
  conversationId: string;
  senderId: string;
  seq: number;
  body: string;
  /** The rev of its latest edit or delete: a message heard before it carried another body. */
  rev: number;
}

/** An audit of nothing heard. */
const noWireFaults = (): WireAudit => ({
  heard: 0,
  notInHistory: 0,
  unlikeHistory: 0,
  pushedTwice: 0,
  syncedAgain: 0,
  liveOutOfOrder: 0,
});

export interface WireAudit {
  /** Messages heard on the wire. */
  heard: number;
  /** Heard, but no such message in history (must be 0). */
  notInHistory: number;
  /** Heard with a conversation, sender, seq or body (at the same rev) other than the stored one (must be 0). */
  unlikeHistory: number;
  /** The same message pushed live twice to one client: the server emitted it twice (must be 0). */
  pushedTwice: number;
  /** A sync returned what the client had heard already (after a reconnect: hidden by the library). */
  syncedAgain: number;
  /**
   * Pushed live after a later seq of the same conversation. One process pushes a conversation's
   * messages in seq order; with several, their pushes may interleave (the library reorders).
   */
  liveOutOfOrder: number;
}

/** What one client heard on the wire, against the stored messages (by id). */
export function auditWire(
  heard: readonly WireMessage[],
  stored: ReadonlyMap<string, StoredForWire>,
): WireAudit {
  const audit = noWireFaults();
  audit.heard = heard.length;
  const pushed = new Set<string>();
  const delivered = new Set<string>();
  const lastLive = new Map<string, number>();
  for (const { kind, message } of heard) {
    const original = stored.get(message.id);
    if (!original) audit.notInHistory += 1;
    else if (
      original.conversationId !== message.conversationId ||
      original.senderId !== message.senderId ||
      original.seq !== message.seq ||
      (original.rev === message.rev && original.body !== message.body)
    )
      audit.unlikeHistory += 1;
    // A send's ack and the message:new echo to the sending socket are both expected.
    if (kind === 'ack') continue;
    if (kind === 'sync' && delivered.has(message.id)) audit.syncedAgain += 1;
    delivered.add(message.id);
    if (kind === 'message:new') {
      if (pushed.has(message.id)) audit.pushedTwice += 1;
      pushed.add(message.id);
      if (message.seq <= (lastLive.get(message.conversationId) ?? 0)) audit.liveOutOfOrder += 1;
      lastLive.set(
        message.conversationId,
        Math.max(message.seq, lastLive.get(message.conversationId) ?? 0),
      );
    }
  }
  return audit;
}

export const totalWire = (audits: readonly WireAudit[]): WireAudit =>
  sumAudits(audits, noWireFaults());

/**
 * The wire audit's figures for the report. One process pushes a conversation's messages in seq
 * order, so with `oneProcess` an out-of-order push is a failure; with several it is not.
 */
export function wireFigures(wire: WireAudit, { oneProcess }: { oneProcess: boolean }): Figure[] {
  return [
    { name: 'wire: messages heard', value: wire.heard },
    { name: 'wire: heard but not in history', value: wire.notInHistory, mustBeZero: true },
    {
      name: 'wire: heard unlike history (seq, body, sender)',
      value: wire.unlikeHistory,
      mustBeZero: true,
    },
    { name: 'wire: pushed live twice', value: wire.pushedTwice, mustBeZero: true },
    {
      name: 'wire: synced again after a reconnect (hidden by ChatClient)',
      value: wire.syncedAgain,
    },
    oneProcess
      ? {
          name: 'wire: pushed out of seq order (one process)',
          value: wire.liveOutOfOrder,
          mustBeZero: true,
        }
      : {
          name: 'wire: pushed out of seq order (two processes interleave; ChatClient reorders)',
          value: wire.liveOutOfOrder,
        },
  ];
}
