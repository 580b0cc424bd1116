import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Injectable } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { WebhookEndpoints } from './webhook-endpoints';
import { publicOnlyLookup } from './webhook-targets';

/** The contract's bound on a receiver's answer. */
export const ANSWER_TIMEOUT_MS = 10_000;
const MAX_ERROR_CHARS = 200;

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
 * public (checked after DNS, on every delivery); a receiver silent for 10 s is cut off.
 */
@Injectable()
export class WebhookSender {
  constructor(private readonly endpoints: WebhookEndpoints) {}

  send(url: string, secret: string, eventId: string, payload: string): Promise<SendOutcome> {
    const started = performance.now();
    const timestamp = new Date();
    const signature = new Webhook(secret).sign(eventId, timestamp, payload);
    const target = new URL(url);
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (status: number | null, error: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const latencyMs = Math.round(performance.now() - started);
        resolve({ status, latencyMs, error: error?.slice(0, MAX_ERROR_CHARS) ?? null });
      };
      const outgoing = request(
        target,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            'user-agent': 'nest-chat-webhooks',
            'webhook-id': eventId,
            'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
            'webhook-signature': signature,
          },
          lookup: this.endpoints.publicOnly ? publicOnlyLookup : undefined,
          agent: false,
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
      }, ANSWER_TIMEOUT_MS);
      outgoing.once('error', (error) => finish(null, error.message));
      outgoing.end(payload);
    });
  }
}

export const succeeded = (outcome: SendOutcome): boolean =>
  outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
