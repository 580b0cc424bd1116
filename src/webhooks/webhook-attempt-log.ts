import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { WebhookAttempt } from '../persistence/webhook-attempts/webhook-attempt.schema';
import { WebhookAttemptsRepository } from '../persistence/webhook-attempts/webhook-attempts.repository';

const FLUSH_MS = 250;
const MAX_BUFFERED = 5_000;

/**
 * The deliveries list, written in batches (one insert a quarter second, not one per attempt): it
 * is a log for people, so a crash may lose its last quarter second; delivery itself never reads it.
 */
@Injectable()
export class WebhookAttemptLog implements OnApplicationShutdown {
  private readonly logger = new Logger(WebhookAttemptLog.name);
  private buffered: Omit<WebhookAttempt, '_id'>[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly attempts: WebhookAttemptsRepository) {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  add(attempt: Omit<WebhookAttempt, '_id'>): void {
    // A database away for long: the oldest lines go first, memory stays bounded.
    if (this.buffered.length >= MAX_BUFFERED) this.buffered.shift();
    this.buffered.push(attempt);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffered.length === 0) return;
    const batch = this.buffered;
    this.buffered = [];
    try {
      await this.attempts.recordMany(batch);
    } catch (error) {
      this.buffered = [...batch, ...this.buffered].slice(-MAX_BUFFERED);
      this.logger.warn({ err: error }, 'Could not write webhook attempts; will retry');
    }
  }
}
