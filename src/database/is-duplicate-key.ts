/**
 * A unique index refused the write. By the code alone: FerretDB does not report which index
 * (no keyPattern/keyValue), so callers find out what collided by looking it up. FerretDB v1
 * reports an update (not an insert) that breaks a unique index as a plain error carrying
 * SQLite's message instead of code 11000: that counts too.
 */
export function isDuplicateKey(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if ('code' in error && error.code === 11000) return true;
  return (
    'message' in error &&
    typeof error.message === 'string' &&
    error.message.includes('UNIQUE constraint failed')
  );
}
