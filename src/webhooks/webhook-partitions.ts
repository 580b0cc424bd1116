import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { WebhookLeasesRepository } from '../persistence/webhook-leases/webhook-leases.repository';

/** Each app's conversations fall into this many partitions, each delivered by one process. */
export const PARTITIONS = 16;
/** A lease's time slot: a holder that died is replaced within two of them. */
export const SLOT_MS = 15_000;

export const partitionOf = (conversationId: Types.ObjectId): number =>
  parseInt(conversationId.toHexString().slice(-4), 16) % PARTITIONS;

interface Held {
  /** The latest slot held. */
  slot: number;
  /** The slot this process last failed to take (another holds it): not tried again in it. */
  lostSlot: number;
}

/**
 * Which of an app's partitions this process delivers, slot by slot. A slot is taken by inserting
 * its lease (`<app>:<partition>:<slot>`): of several processes, one wins. A holder takes the next
 * slot as soon as its own has begun, before anyone else may try (others only try the slot that
 * has begun), so a live holder keeps its partitions with always more than a slot ahead (an
 * attempt is only started when it ends before the lease does: a lease held only to the end of
 * the current slot would pause delivery near each slot's end), and a dead one's are taken at the
 * next slot after the one it had taken. Clocks must agree within a few seconds.
 */
@Injectable()
export class WebhookPartitions {
  private readonly owner = randomUUID();
  private readonly held = new Map<string, Held>();

  constructor(private readonly leases: WebhookLeasesRepository) {}

  /**
   * Renews or takes `partition` of the app for now; true when this process holds it. `fresh`
   * is told when it was just taken (its new holder must look back for unfinished work).
   */
  async hold(appId: string, partition: number, now: number, fresh: () => void): Promise<boolean> {
    const key = `${appId}:${partition}`;
    const slot = Math.floor(now / SLOT_MS);
    const held = this.held.get(key) ?? { slot: -1, lostSlot: -1 };
    this.held.set(key, held);
    if (held.slot >= slot) {
      if (held.slot === slot && held.lostSlot !== slot + 1) {
        if (await this.take(key, slot + 1)) held.slot = slot + 1;
        else held.lostSlot = slot + 1;
      }
      return true;
    }
    if (held.lostSlot === slot) return false;
    if (await this.take(key, slot)) {
      if (held.slot !== slot - 1) fresh();
      held.slot = slot;
      return true;
    }
    held.lostSlot = slot;
    return false;
  }

  /** Until when this process surely holds the conversation's partition (0: it does not). */
  heldUntil(appId: string, conversationId: Types.ObjectId, now: number): number {
    const held = this.held.get(`${appId}:${partitionOf(conversationId)}`);
    const until = held ? (held.slot + 1) * SLOT_MS : 0;
    return until > now ? until : 0;
  }

  private async take(key: string, slot: number): Promise<boolean> {
    const taken = await this.leases.take(`${key}:${slot}`, this.owner);
    // The lease of two slots back is over for everyone: its holder (this one, likely) removes it.
    if (taken) await this.leases.remove(`${key}:${slot - 2}`);
    return taken;
  }
}
