import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { Injectable, NestMiddleware } from '@nestjs/common';
import { AppError } from '../errors/app-error';

/**
 * body-parser `verify`: a JSON body must be UTF-8. Otherwise invalid bytes would be decoded as
 * U+FFFD and stored as if the client had sent that.
 */
export function requireUtf8Body(_request: IncomingMessage, _response: unknown, body: Buffer): void {
  if (!isUtf8(body)) {
    throw Object.assign(new Error('The request body is not valid UTF-8'), {
      status: 400,
      type: 'entity.verify.failed',
    });
  }
}

/** Refuses query strings whose percent-escapes are not UTF-8 (the parser would make them U+FFFD). */
@Injectable()
export class Utf8QueryMiddleware implements NestMiddleware {
  use(request: IncomingMessage, _response: unknown, next: () => void): void {
    const query = request.url?.split('?')[1];
    if (query) {
      for (const part of query.split(/[&=]/)) {
        try {
          decodeURIComponent(part.replace(/\+/g, ' '));
        } catch {
          throw new AppError('VALIDATION_FAILED', 'The query string is not valid UTF-8');
        }
      }
    }
    next();
  }
}
