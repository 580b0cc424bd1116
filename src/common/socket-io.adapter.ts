import type { IncomingMessage } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import type Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import { isOriginAllowed } from './origin-policy';
import { depthLimitedParser } from './payload-depth-decoder';

export interface SocketIoSettings {
  corsOrigins: string[];
  maxFrameBytes: number;
  /**
   * Fan out through Redis sharded pub/sub, so an emit reaches sockets on every process: the
   * connections to publish and to subscribe with (their owner closes them).
   */
  fanout: { publisher: Redis; subscriber: Redis } | null;
}

/**
 * socket.io with the Origin allow-list, a frame size cap, a nesting cap checked before parsing
 * (PayloadDepthDecoder) and, with Redis, cross-process rooms:
 * each room its own sharded channel ("dynamic"), which a process subscribes to while it has a
 * socket in the room.
 */
export class SocketIoAdapter extends IoAdapter {
  constructor(
    app: INestApplication,
    private readonly settings: SocketIoSettings,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const { corsOrigins, maxFrameBytes, fanout } = this.settings;
    return super.createIOServer(port, {
      ...options,
      cors: { origin: corsOrigins.includes('*') ? true : corsOrigins, credentials: false },
      maxHttpBufferSize: maxFrameBytes,
      parser: depthLimitedParser,
      allowRequest: (request: IncomingMessage, callback: (error: null, ok: boolean) => void) =>
        callback(null, isOriginAllowed(request.headers.origin, request.headers.host, corsOrigins)),
      ...(fanout
        ? {
            adapter: createShardedAdapter(fanout.publisher, fanout.subscriber, {
              subscriptionMode: 'dynamic',
            }),
          }
        : {}),
    }) as Server;
  }
}
