import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { WebhookEndpoints } from './webhook-endpoints';
import { publicOnlyLookup } from './webhook-targets';

/** The contract's bound on a receiver's answer. */
export const ANSWER_TIMEOUT_MS = 10_000;
const MAX_ERROR_CHARS = 200;
/**
 * Connections to receivers are kept open between deliveries (a new one per event cost more than
 * the rest of an attempt), closed when idle this long, or sooner when the receiver's
 * `Keep-Alive: timeout` says so.
 */
const IDLE_CONNECTION_MS = 4_000;
/** A kept connection the receiver closed as it was reused: the event is sent again, at once. */
const STALE_CONNECTION = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export interface SendOutcome {
  /** The HTTP status; null when none came. */
  status: number | null;
  latencyMs: number;
  /** Why it failed (null on a 2xx). */
  error: string | null;
}

/**
 * Posts one signed event (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature`). No redirect is followed; in production the address connected to must be
 * public (checked after DNS, on every new connection); a receiver silent for 10 s is cut off.
 */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly agents = {
    http: new HttpAgent({ keepAlive: true, timeout: IDLE_CONNECTION_MS }),
    https: new HttpsAgent({ keepAlive: true, timeout: IDLE_CONNECTION_MS }),
  };

  constructor(private readonly endpoints: WebhookEndpoints) {}

  /** Runs after the deliverer has let its attempts in flight end. */
  onApplicationShutdown(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  async send(url: string, secret: string, eventId: string, payload: string): Promise<SendOutcome> {
    const started = performance.now();
    const timestamp = new Date();
    const signature = new Webhook(secret).sign(eventId, timestamp, payload);
    const headers = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'user-agent': 'nest-chat-webhooks',
      'webhook-id': eventId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    };
    const target = new URL(url);
    // Both tries together are held to the one bound on an answer.
    const deadline = started + ANSWER_TIMEOUT_MS;
    let sent = await this.post(target, headers, payload, deadline);
    if (sent.stale) sent = await this.post(target, headers, payload, deadline);
    const latencyMs = Math.round(performance.now() - started);
    return { status: sent.status, latencyMs, error: sent.error?.slice(0, MAX_ERROR_CHARS) ?? null };
  }

  /** One request; `stale` when a kept connection turned out closed before any answer. */
  private post(
    target: URL,
    headers: Record<string, string | number>,
    payload: string,
    deadline: number,
  ): Promise<{ status: number | null; error: string | null; stale: boolean }> {
    const https = target.protocol === 'https:';
    const request = https ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (status: number | null, error: string | null, stale = false) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status, error, stale });
      };
      const outgoing = request(
        target,
        {
          method: 'POST',
          headers,
          lookup: this.endpoints.publicOnly ? publicOnlyLookup : undefined,
          agent: https ? this.agents.https : this.agents.http,
        },
        (response: IncomingMessage) => {
          const status = response.statusCode ?? null;
          // The answer's body is not kept: read (a little) and dropped.
          response.on('data', () => undefined);
          response.once('end', () =>
            finish(
              status,
              status !== null && status >= 200 && status < 300 ? null : `HTTP ${status}`,
            ),
          );
          response.once('error', (error) => finish(status, error.message));
        },
      );
      const timer = setTimeout(() => {
        outgoing.destroy();
        finish(null, `no answer within ${ANSWER_TIMEOUT_MS / 1000} s`);
      }, deadline - performance.now());
      outgoing.once('error', (error: NodeJS.ErrnoException) =>
        finish(
          null,
          error.message,
          outgoing.reusedSocket && STALE_CONNECTION.has(error.code ?? ''),
        ),
      );
      outgoing.end(payload);
    });
  }
}

export const succeeded = (outcome: SendOutcome): boolean =>
  outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
