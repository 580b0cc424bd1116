import type { Types } from 'mongoose';

/**
 * The highest of `value` per conversation among `rows`, by conversation id. Done here rather
 * than by `$group`/`$max`, which FerretDB v1 does not implement.
 */
export function highestPerConversation<T extends { conversationId: Types.ObjectId }>(
  rows: readonly T[],
  value: (row: T) => number,
): Map<string, number> {
  const highest = new Map<string, number>();
  for (const row of rows) {
    const key = row.conversationId.toHexString();
    highest.set(key, Math.max(highest.get(key) ?? 0, value(row)));
  }
  return highest;
}
