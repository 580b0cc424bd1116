import type { ErrorCode } from './app-error';

/** Every REST error body. */
export class ErrorResponseDto {
  /** The HTTP status, repeated. */
  statusCode!: number;

  /** VALIDATION_FAILED, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, PAYLOAD_TOO_LARGE, RATE_LIMITED, UNAVAILABLE or INTERNAL. */
  error!: ErrorCode;

  /** Human-readable; never a stack trace. */
  message!: string;
}
