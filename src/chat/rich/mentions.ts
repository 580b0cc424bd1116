/** The most distinct names one body is looked up for. */
export const MAX_MENTIONS = 50;

// `@` at the start or after a character that cannot be part of a name or an address (so the `@`
// of `ann@example.com` is not a mention).
const MENTION = /(?<![\p{L}\p{N}_.@-])@([a-z0-9_.-]{1,40})/giu;

/**
 * The usernames a body may mention, lowercased, each once, in order: `@Ann.` may be `ann.` or
 * `ann` (a sentence's full stop), so both are candidates; only members' names are kept later.
 */
export function mentionedUsernames(body: string): string[] {
  if (!body.includes('@')) return [];
  const names = new Set<string>();
  for (const [, raw] of body.matchAll(MENTION)) {
    const name = raw.toLowerCase();
    const trimmed = name.replace(/[.-]+$/, '');
    for (const candidate of [name, trimmed]) {
      if (candidate.length >= 3 && candidate.length <= 32) names.add(candidate);
    }
    if (names.size >= MAX_MENTIONS) break;
  }
  return [...names].slice(0, MAX_MENTIONS);
}
