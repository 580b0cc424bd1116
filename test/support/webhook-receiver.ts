import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedEvent {
  id: string;
  type: string;
  conversationId: string;
  seq?: number;
  rev?: number;
  body: Record<string, unknown>;
}

export interface WebhookReceiver {
  readonly url: string;
  /** Every request whose signature verified, answered or not, in arrival order. */
  readonly attempts: ReceivedEvent[];
  /** Those answered 2xx, once per `webhook-id` (the receiver dedupes, as the contract asks). */
  readonly delivered: ReceivedEvent[];
  /** Requests whose signature did not verify (must stay 0). */
  readonly forged: number;
  /** How the next request is answered: a status after an optional delay, or `cut` (no answer). */
  answer: (event: ReceivedEvent) => { status: number; delayMs?: number } | 'cut';
  /** The secret to verify with, once the app is made. */
  secret: string;
  close(): Promise<void>;
}

/**
 * A real HTTP receiver that verifies every delivery with the unmodified `standardwebhooks`
 * package, as a product's backend would.
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const seen = new Set<string>();
  const receiver: WebhookReceiver = {
    url: '',
    attempts: [],
    delivered: [],
    forged: 0,
    answer: () => ({ status: 200 }),
    secret: '',
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const payload = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown>;
      try {
        body = new Webhook(receiver.secret).verify(
          payload,
          request.headers as Record<string, string>,
        ) as Record<string, unknown>;
      } catch {
        (receiver as { forged: number }).forged += 1;
        response.writeHead(400).end();
        return;
      }
      const event: ReceivedEvent = {
        id: String(request.headers['webhook-id']),
        type: String(body.type),
        conversationId: String(body.conversationId),
        ...(typeof body.seq === 'number' && { seq: body.seq }),
        ...(typeof body.rev === 'number' && { rev: body.rev }),
        body,
      };
      receiver.attempts.push(event);
      const answer = receiver.answer(event);
      if (answer === 'cut') {
        request.socket.destroy();
        return;
      }
      const { status, delayMs = 0 } = answer;
      const timer = setTimeout(() => {
        if (status >= 200 && status < 300 && !seen.has(event.id)) {
          seen.add(event.id);
          receiver.delivered.push(event);
        }
        response.writeHead(status).end();
      }, delayMs);
      timer.unref();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (receiver as { url: string }).url = `http://127.0.0.1:${port}/hooks`;
  return receiver;
}
