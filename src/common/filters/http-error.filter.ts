import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { MetricsService } from '../../metrics/metrics.service';
import { describeError, isDatabaseUnavailable } from '../errors/describe-error';

/** Renders every REST failure as the contract's `{ statusCode, error, message }`, never a stack. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  constructor(private readonly metrics: MetricsService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request & { id?: unknown }>();
    const { code, status, message, unexpected, retryAfter } = describeError(exception);
    if (isDatabaseUnavailable(exception)) this.metrics.databaseErrors.inc();
    if (unexpected) {
      this.logger.error(
        { err: exception, requestId: request.id, route: `${request.method} ${request.path}` },
        'Unhandled error in REST request',
      );
    }
    if (response.headersSent) return;
    if (retryAfter !== undefined) {
      response.setHeader('Retry-After', String(Math.ceil(retryAfter / 1000)));
    }
    response
      .status(status)
      .json({ statusCode: status, error: code, message, ...(retryAfter && { retryAfter }) });
  }
}
