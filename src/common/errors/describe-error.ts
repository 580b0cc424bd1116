import { HttpException } from '@nestjs/common';
import { AppError, ERROR_STATUS, ErrorCode } from './app-error';

export interface ErrorDescription {
  code: ErrorCode;
  status: number;
  message: string;
  /** True when the client gets a generic message and the cause must be logged. */
  unexpected: boolean;
  /** For RATE_LIMITED: when to come back, in milliseconds (the contract's `retryAfter`). */
  retryAfter?: number;
}

// The driver's and mongoose's classes for "the database cannot be reached right now", matched
// along the class chain (by name, as mongoose and the app may load different copies of the
// driver): MongoNetworkError covers its timeouts and the pool being cleared under an operation
// (PoolClearedOnNetworkError, whose own name is none of these).
const UNAVAILABLE_CLASSES = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoWriteConcernError',
  'WaitQueueTimeoutError',
]);

// Labels the driver puts on errors a retry may cure.
const RETRYABLE_LABELS = ['RetryableWriteError', 'PoolRequestedRetry', 'SystemOverloadedError'];

// Server answers meaning "not now": shutting down, stepping down, or still starting.
const UNAVAILABLE_SERVER_CODES = new Set([
  6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436,
]);

const CODE_BY_STATUS = new Map<number, ErrorCode>(
  Object.entries(ERROR_STATUS).map(([code, status]) => [status, code as ErrorCode]),
);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (classNames(error).some((name) => UNAVAILABLE_CLASSES.has(name))) return true;
  const { hasErrorLabel, code } = error as {
    hasErrorLabel?: (label: string) => boolean;
    code?: unknown;
  };
  if (typeof hasErrorLabel === 'function' && RETRYABLE_LABELS.some(hasErrorLabel, error)) {
    return true;
  }
  if (typeof code === 'number' && UNAVAILABLE_SERVER_CODES.has(code)) return true;
  // The driver's bulk API wraps a network or server-selection failure in a bulk error that
  // has no per-document errors (and drops the original's name).
  return error.name === 'MongoBulkWriteError' && !hasWriteErrors(error);
}

/** The error's name and the names of the classes it descends from. */
function classNames(error: Error): string[] {
  const names = [error.name];
  for (
    let proto: unknown = Object.getPrototypeOf(error);
    proto;
    proto = Object.getPrototypeOf(proto)
  ) {
    const { constructor } = proto as { constructor?: { name?: string } };
    if (constructor?.name) names.push(constructor.name);
  }
  return names;
}

function hasWriteErrors(error: Error): boolean {
  const { writeErrors } = error as { writeErrors?: unknown };
  return Array.isArray(writeErrors) ? writeErrors.length > 0 : writeErrors !== undefined;
}

function httpMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'object' && response !== null && 'message' in response) {
    const { message } = response;
    if (Array.isArray(message)) return message.join('; ');
    if (typeof message === 'string') return message;
  }
  return exception.message;
}

/** Body-parser errors reach Nest as plain errors carrying `type` and `status`. */
function bodyParserCode(error: unknown): ErrorCode | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  if (error.type === 'entity.too.large') return 'PAYLOAD_TOO_LARGE';
  if (error.type === 'entity.parse.failed' || error.type === 'entity.verify.failed')
    return 'VALIDATION_FAILED';
  return undefined;
}

/** Maps anything thrown to the contract's error: one rule for REST and socket.io alike. */
export function describeError(error: unknown): ErrorDescription {
  if (error instanceof AppError) {
    const { code, status, message } = error;
    if (code !== 'RATE_LIMITED') return { code, status, message, unexpected: false };
    return { code, status, message, unexpected: false, retryAfter: retryAfterMs(error) };
  }
  if (isDatabaseUnavailable(error)) {
    const code = 'UNAVAILABLE';
    const message = 'The database is unavailable; try again shortly';
    return { code, status: ERROR_STATUS[code], message, unexpected: false };
  }
  const parserCode = bodyParserCode(error);
  if (parserCode !== undefined) {
    const message =
      parserCode === 'PAYLOAD_TOO_LARGE'
        ? 'The request body is too large'
        : 'Malformed JSON body (or not UTF-8)';
    return { code: parserCode, status: ERROR_STATUS[parserCode], message, unexpected: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = CODE_BY_STATUS.get(status) ?? (status < 500 ? 'VALIDATION_FAILED' : 'INTERNAL');
    if (code !== 'INTERNAL') {
      return { code, status: ERROR_STATUS[code], message: httpMessage(error), unexpected: false };
    }
  }
  return { code: 'INTERNAL', status: 500, message: 'Internal server error', unexpected: true };
}

/** A refusal's wait in milliseconds: its own, else a second (every RATE_LIMITED carries one). */
export function retryAfterMs(error: AppError): number {
  return (error.retryAfterSeconds ?? 1) * 1000;
}
