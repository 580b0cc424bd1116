// Runs before each e2e file's imports: the configuration the app under test validates.
process.env.NODE_ENV = 'test';
process.env.JWT_SECRET ??= 'test-secret-that-is-at-least-32-characters-long';
process.env.LOG_LEVEL ??= 'silent';
// One JSON line per entry, without pino-pretty's worker thread in every app and server under test.
process.env.LOG_FORMAT ??= 'json';
process.env.MONGODB_TIMEOUT_MS ??= '2000';
// Limits are tested on their own (test/limits.e2e-spec.ts); elsewhere they must not interfere.
process.env.RATE_LIMIT_SENDS ??= '1000000';
process.env.RATE_LIMIT_EVENTS ??= '1000000';
process.env.RATE_LIMIT_REQUESTS ??= '1000000';
process.env.RATE_LIMIT_AUTH ??= '1000000';
process.env.RATE_LIMIT_LOGIN_PER_ACCOUNT ??= '1000000';
process.env.LOGIN_BACKOFF_FREE_FAILURES ??= '1000000';
process.env.SOCKET_PACKETS_PER_SECOND ??= '1000000';
process.env.SOCKET_INVALID_PACKETS ??= '1000000';
// Scenarios register dozens of users at once; the hash gate itself is unit-tested (read-gate).
process.env.PASSWORD_HASHES_QUEUED ??= '10000';
// Webhook secrets are sealed with this key; unset, one would be made in ./data.
process.env.WEBHOOK_SECRETS_KEY ??= 'a'.repeat(64);
// Webhook retries in milliseconds, so a test sees the whole schedule (and the disable) quickly.
process.env.WEBHOOK_RETRY_SCHEDULE ??= '100,200,300,400';
