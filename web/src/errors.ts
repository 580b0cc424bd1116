import { ChatError } from '@nest-chat/client';

/** What to tell the person: the server's message for a refusal, plain words otherwise. */
export function describe(error: unknown): string {
  if (error instanceof ChatError) {
    if (error.code === 'UNAVAILABLE') return 'The server cannot be reached. Try again in a moment.';
    if (error.code === 'RATE_LIMITED') return 'Too many requests: wait a few seconds.';
    if (error.code === 'INTERNAL') return 'Something went wrong on the server.';
    return error.message.charAt(0).toUpperCase() + error.message.slice(1);
  }
  return 'Something went wrong.';
}
