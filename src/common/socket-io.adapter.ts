import type { INestApplication } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';

/** socket.io with the app's CORS allow-list; frames are capped well above the largest message. */
export class SocketIoAdapter extends IoAdapter {
  constructor(
    app: INestApplication,
    private readonly corsOrigins: string[],
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const origin = this.corsOrigins.includes('*') ? true : this.corsOrigins;
    return super.createIOServer(port, {
      ...options,
      cors: { origin, credentials: false },
      maxHttpBufferSize: 1_000_000,
    }) as Server;
  }
}
