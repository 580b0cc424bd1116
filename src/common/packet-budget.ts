import type { Socket } from 'socket.io';
import { PAYLOAD_TOO_DEEP, TOO_DEEP_MESSAGE } from './validation/payload-depth';

/** How much one socket may send, counted before anything parses or validates a packet. */
export interface PacketLimits {
  /** Packets per second, in bursts of up to BURST_SECONDS' worth. */
  perSecond: number;
  /** Invalid packets (VALIDATION_FAILED) within INVALID_WINDOW_MS that drop the connection. */
  invalidBeforeDisconnect: number;
}

const BURST_SECONDS = 4;
const INVALID_WINDOW_MS = 10_000;
const REFUSAL = {
  code: 'RATE_LIMITED',
  message: 'Too many packets on this connection; slow down',
  retryAfter: 1000,
};
const TOO_DEEP = { code: 'VALIDATION_FAILED', message: TOO_DEEP_MESSAGE };

/**
 * One socket's packet allowance: a token bucket every incoming packet is charged to first (so
 * invalid frames cost like valid ones), and a count of invalid packets that ends a connection
 * which keeps sending them. Per socket and in memory: it guards this process's event loop, which
 * the per-user limits (checked after validation, in Redis) cannot.
 */
export class PacketBudget {
  private tokens: number;
  private refilledAt: number;
  private refused = 0;
  private invalid = 0;
  private invalidSince = 0;

  constructor(
    private readonly limits: PacketLimits,
    now = Date.now(),
  ) {
    this.tokens = limits.perSecond * BURST_SECONDS;
    this.refilledAt = now;
  }

  /** Charges one packet: false when the socket is over its allowance. */
  take(now = Date.now()): boolean {
    const burst = this.limits.perSecond * BURST_SECONDS;
    this.tokens = Math.min(
      burst,
      this.tokens + ((now - this.refilledAt) / 1000) * this.limits.perSecond,
    );
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.refused = 0;
      return true;
    }
    this.refused += 1;
    return false;
  }

  /** Whether the refusals in a row amount to a whole burst: a flood, not a burst. */
  get flooding(): boolean {
    return this.refused > this.limits.perSecond * BURST_SECONDS;
  }

  /** Counts an invalid packet: true when the connection should be dropped for it. */
  noteInvalid(now = Date.now()): boolean {
    if (now - this.invalidSince > INVALID_WINDOW_MS) {
      this.invalid = 0;
      this.invalidSince = now;
    }
    this.invalid += 1;
    return this.invalid > this.limits.invalidBeforeDisconnect;
  }
}

const budgets = new WeakMap<Socket, PacketBudget>();

/**
 * Charges each of `socket`'s packets to its budget before socket.io hands it to a handler: one
 * over is answered RATE_LIMITED (through its ack if it has one) and goes no further; a socket
 * that keeps flooding is disconnected. A packet too deep to have been parsed is answered
 * VALIDATION_FAILED here, at a fraction of a handler's cost, and counted as invalid.
 */
export function guardPackets(socket: Socket, limits: PacketLimits): void {
  const budget = new PacketBudget(limits);
  budgets.set(socket, budget);
  const refuse = (packet: unknown[], error: { code: string; message: string }) => {
    const ack: unknown = packet[packet.length - 1];
    const reply = { ok: false as const, error };
    if (typeof ack === 'function') (ack as (reply: unknown) => void)(reply);
    else socket.emit('exception', { event: packet[0], ...reply });
  };
  socket.use((packet, next) => {
    if (!budget.take()) {
      if (budget.flooding) return void socket.disconnect(true);
      return refuse(packet, REFUSAL);
    }
    // Replaced unparsed by the decoder (PayloadDepthDecoder): answered here, not by a handler.
    if (packet[1] === PAYLOAD_TOO_DEEP) {
      refuse(packet, TOO_DEEP);
      if (budget.noteInvalid()) socket.disconnect(true);
      return;
    }
    next();
  });
}

/** An invalid packet from `socket`: true when it has sent so many that it is to be dropped. */
export function noteInvalidPacket(socket: Socket): boolean {
  return budgets.get(socket)?.noteInvalid() ?? false;
}
