import { ArgumentsHost, Catch, ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { MetricsService } from '../../metrics/metrics.service';
import { noteInvalidPacket } from '../packet-budget';
import { describeError, isDatabaseUnavailable } from '../errors/describe-error';

/** Turns a failed socket event into the contract's `{ ok: false, error }` ack. */
@Catch()
@Injectable()
export class WsErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(WsErrorFilter.name);

  constructor(private readonly metrics: MetricsService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ws = host.switchToWs();
    const client = ws.getClient<Socket>();
    // Nest passes handler arguments as [socket, payload, ack, pattern].
    const ack: unknown = host.getArgByIndex(2);
    const pattern: unknown = host.getArgByIndex(3);
    const { code, message, unexpected, retryAfter } = describeError(exception);
    if (isDatabaseUnavailable(exception)) this.metrics.databaseErrors.inc();
    if (unexpected) {
      this.logger.error(
        { err: exception, socketId: client.id, event: pattern },
        'Unhandled error in socket event',
      );
    }
    const reply = {
      ok: false as const,
      error: { code, message, ...(retryAfter && { retryAfter }) },
    };
    if (typeof ack === 'function') {
      (ack as (reply: unknown) => void)(reply);
    } else {
      // No ack callback: the error still reaches the client, as Nest's usual `exception` event.
      client.emit('exception', { event: pattern, ...reply });
    }
    // A client that keeps sending what no handler takes is broken or hostile: it is let go.
    if (code === 'VALIDATION_FAILED' && noteInvalidPacket(client)) client.disconnect(true);
  }
}
