import { Server } from 'node:http';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { CoreSettings } from '../config/core.settings';
import { AppError } from './errors/app-error';

/**
 * Graceful shutdown for work that must not be cut in half. On shutdown, new work is refused
 * with UNAVAILABLE (clients retry on another process) and the work in flight gets up to
 * SHUTDOWN_GRACE_MS to finish before sockets, the database and Redis are closed.
 */
@Injectable()
export class DrainService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(DrainService.name);
  private inFlight = 0;
  private draining = false;
  private idle?: () => void;

  constructor(
    private readonly config: ConfigService<CoreSettings, true>,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  get isDraining(): boolean {
    return this.draining;
  }

  async track<T>(work: () => Promise<T>): Promise<T> {
    if (this.draining) throw new AppError('UNAVAILABLE', 'The server is shutting down; retry');
    this.inFlight += 1;
    try {
      return await work();
    } finally {
      this.finished();
    }
  }

  /**
   * An HTTP request: false once draining (answer 503), else counted until its response is sent
   * or abandoned, so that a request under way finishes before the database is closed under it.
   */
  admit(response: { once(event: 'close', listener: () => void): unknown }): boolean {
    if (this.draining) return false;
    this.inFlight += 1;
    response.once('close', () => this.finished());
    return true;
  }

  private finished(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) this.idle?.();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    if (this.inFlight === 0) return;
    const grace = this.config.get('SHUTDOWN_GRACE_MS', { infer: true });
    this.logger.log(`Draining ${this.inFlight} in-flight operations (up to ${grace} ms)`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, grace);
      this.idle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    if (this.inFlight === 0) return;
    // Past the grace: a request still waiting (on a database that stopped answering, say) would
    // hold the HTTP server's close, and the shutdown, for as long as it waits.
    this.logger.warn(`Shutting down with ${this.inFlight} operations unfinished`);
    const server: unknown = this.adapterHost.httpAdapter?.getHttpServer();
    if (server instanceof Server) server.closeAllConnections();
  }
}
