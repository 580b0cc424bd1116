import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type Redis from 'ioredis';
import { AppError } from '../../../common/errors/app-error';
import { describeError } from '../../../common/errors/describe-error';
import type { ChatSettings } from '../../chat.settings';
import { MetricsService } from '../../../metrics/metrics.service';
import type { SendResult } from '../../../realtime/realtime.events';
import { REDIS } from '../../../redis/redis.module';
import type { MessageDraft } from '../message-draft';
import { MessageWriter } from '../message-writer';
import { type ForwardReply, SendForwarding } from './send-forwarding';
import { routeSend } from './send-route';
import { WriterLeases } from './writer-leases';

/**
 * One writer per conversation across processes: a send goes to the process holding the
 * conversation's writer lease (WriterLeases), over Redis (SendForwarding), and is written there,
 * so processes do not collide on seq. Alone (no Redis), or when Redis cannot say, a send is
 * written here: the unique (conversationId, seq) index keeps that safe, only slower under
 * contention. A holder that was killed is taken over as soon as a forward finds nobody listening.
 */
@Injectable()
export class SendRouter implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(SendRouter.name);
  private readonly leases?: WriterLeases;
  private readonly forwarding?: SendForwarding;

  constructor(
    private readonly writer: MessageWriter,
    private readonly metrics: MetricsService,
    @Inject(REDIS) redis: Redis | null,
    config: ConfigService<ChatSettings, true>,
  ) {
    if (!redis) return;
    const leaseMs = config.get('WRITER_LEASE_MS', { infer: true });
    this.leases = new WriterLeases(redis, leaseMs, (conversationId) =>
      writer.reseat(conversationId),
    );
    this.forwarding = new SendForwarding(
      redis,
      redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null }),
      this.leases.processId,
      leaseMs,
      (draft) => this.forwarded(draft),
    );
    metrics.routingLoad.report(() => ({
      leases_held: this.leases?.holding ?? 0,
      forwards_waiting: this.forwarding?.inFlight ?? 0,
    }));
  }

  async onModuleInit(): Promise<void> {
    this.leases?.start();
    await this.forwarding?.start();
  }

  /** Hands the leases over first, so the other processes take over while this one drains. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.leases?.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.forwarding?.close();
  }

  /** Stores the send where its conversation is written; resolves as MessageWriter.write does. */
  async write(draft: MessageDraft): Promise<SendResult> {
    const { leases, forwarding } = this;
    if (!leases || !forwarding) return this.writer.write(draft);
    return routeSend(draft, {
      leases,
      forwarding,
      writeHere: (here) => this.writer.write(here),
      counted: (outcome) => this.metrics.sendsForwarded.inc({ outcome }),
    });
  }

  /** A send another process forwarded here: written if this process still holds the lease. */
  private async forwarded(draft: MessageDraft): Promise<ForwardReply> {
    if (!this.leases?.use(draft.conversationId.toHexString())) return { kind: 'not-holder' };
    try {
      return { kind: 'stored', result: await this.writer.write(draft) };
    } catch (error) {
      const { code, message, unexpected } = describeError(error);
      if (unexpected) this.logger.error({ err: error }, 'A forwarded send failed');
      const retryAfterSeconds = error instanceof AppError ? error.retryAfterSeconds : undefined;
      return { kind: 'refused', code, message, retryAfterSeconds };
    }
  }
}
