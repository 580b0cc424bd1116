import type { IncomingMessage } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import { isOriginAllowed } from './origin-policy';

export interface SocketIoSettings {
  corsOrigins: string[];
  maxFrameBytes: number;
  /** Fan out through Redis streams so an emit reaches sockets on every process. */
  redis: Redis | null;
}

/** socket.io with the Origin allow-list, a frame size cap and, with Redis, cross-process rooms. */
export class SocketIoAdapter extends IoAdapter {
  private adapterClient?: Redis;

  constructor(
    app: INestApplication,
    private readonly settings: SocketIoSettings,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const { corsOrigins, maxFrameBytes, redis } = this.settings;
    // The streams adapter polls in a loop and retries at once on an error: it needs a client
    // that queues commands while Redis reconnects, or it would spin. (The shared client fails fast.)
    this.adapterClient ??= redis?.duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    return super.createIOServer(port, {
      ...options,
      cors: { origin: corsOrigins.includes('*') ? true : corsOrigins, credentials: false },
      maxHttpBufferSize: maxFrameBytes,
      allowRequest: (request: IncomingMessage, callback: (error: null, ok: boolean) => void) =>
        callback(null, isOriginAllowed(request.headers.origin, request.headers.host, corsOrigins)),
      ...(this.adapterClient ? { adapter: createAdapter(this.adapterClient) } : {}),
    }) as Server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    await this.adapterClient?.quit().catch(() => this.adapterClient?.disconnect());
  }
}
