/**
 * A unique index refused the write. By the code alone: FerretDB does not report which index
 * (no keyPattern/keyValue), so callers find out what collided by looking it up.
 */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 11000;
}
