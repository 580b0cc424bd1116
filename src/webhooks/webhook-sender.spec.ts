import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { WebhookEndpoints } from './webhook-endpoints';
import { WebhookSender } from './webhook-sender';

const SECRET = `whsec_${Buffer.from('a secret of thirty-two bytes....').toString('base64')}`;

/**
 * A receiver on loopback that verifies each delivery; `dropSecond` makes it close a kept
 * connection, unanswered, when a second request arrives on it (as a receiver's idle timeout does
 * when it races the sender's reuse).
 */
async function startReceiver(dropSecond = false) {
  const requestsOn = new Map<Socket, number>();
  const received: string[] = [];
  let connections = 0;
  const server: Server = createServer((request, response) => {
    const count = (requestsOn.get(request.socket) ?? 0) + 1;
    requestsOn.set(request.socket, count);
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (dropSecond && count === 2) {
        request.socket.destroy();
        return;
      }
      new Webhook(SECRET).verify(body, request.headers as Record<string, string>);
      received.push(String(request.headers['webhook-id']));
      response.writeHead(204).end();
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('WebhookSender', () => {
  const sender = new WebhookSender({ publicOnly: false } as WebhookEndpoints);

  it('keeps one connection to a receiver for consecutive deliveries', async () => {
    const receiver = await startReceiver();
    try {
      for (const id of ['evt_1', 'evt_2', 'evt_3']) {
        const outcome = await sender.send(receiver.url, SECRET, id, '{"n":1}');
        expect(outcome).toMatchObject({ status: 204, error: null });
      }
      expect(receiver.received).toEqual(['evt_1', 'evt_2', 'evt_3']);
      expect(receiver.connections()).toBe(1);
    } finally {
      sender.onApplicationShutdown();
      await receiver.close();
    }
  });

  it('sends again on a new connection when a kept one was closed under it', async () => {
    const fresh = new WebhookSender({ publicOnly: false } as WebhookEndpoints);
    const receiver = await startReceiver(true);
    try {
      expect(await fresh.send(receiver.url, SECRET, 'evt_1', '{}')).toMatchObject({ status: 204 });
      // The second request reaches the kept connection, which the receiver drops unanswered.
      expect(await fresh.send(receiver.url, SECRET, 'evt_2', '{}')).toMatchObject({
        status: 204,
        error: null,
      });
      expect(receiver.received).toEqual(['evt_1', 'evt_2']);
      expect(receiver.connections()).toBe(2);
    } finally {
      fresh.onApplicationShutdown();
      await receiver.close();
    }
  });

  it('reports a receiver that answers an error, without sending again', async () => {
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(500).end('no'));
    });
    let requests = 0;
    server.on('request', () => (requests += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      expect(await sender.send(url, SECRET, 'evt_1', '{}')).toMatchObject({
        status: 500,
        error: 'HTTP 500',
      });
      expect(requests).toBe(1);
    } finally {
      sender.onApplicationShutdown();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
