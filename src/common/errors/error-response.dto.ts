import type { ErrorCode } from './app-error';
import type { ErrorBody } from '../../protocol/chat-protocol';

/** Every REST error body. */
export class ErrorResponseDto implements ErrorBody {
  /** The HTTP status, repeated. */
  statusCode!: number;

  /** VALIDATION_FAILED, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, PAYLOAD_TOO_LARGE, RATE_LIMITED, UNAVAILABLE or INTERNAL. */
  error!: ErrorCode;

  /** Human-readable; never a stack trace. */
  message!: string;
}
