import { SetMetadata, type ExecutionContext } from '@nestjs/common';

const AUTH_ATTEMPTS = 'rateLimit:authAttempts';

/**
 * Marks a controller whose routes are sign-in attempts (register, login, refresh): they count
 * against RATE_LIMIT_AUTH per address besides the per-user request limit.
 */
export const AuthAttempts = () => SetMetadata(AUTH_ATTEMPTS, true);

export const isAuthAttempt = (context: ExecutionContext): boolean =>
  Reflect.getMetadata(AUTH_ATTEMPTS, context.getClass()) === true;
