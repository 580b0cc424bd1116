// Runs before each e2e file's imports: the configuration the app under test validates.
process.env.NODE_ENV = 'test';
process.env.JWT_SECRET ??= 'test-secret-that-is-at-least-32-characters-long';
process.env.LOG_LEVEL ??= 'silent';
process.env.MONGODB_TIMEOUT_MS ??= '2000';
