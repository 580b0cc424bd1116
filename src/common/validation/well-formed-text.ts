// A UTF-16 surrogate without its pair: not text, and stored as U+FFFD by the database's UTF-8.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The path of the first string in `value` that is not well-formed Unicode, or undefined. Walks
 * without recursion, so a deeply nested payload cannot overflow the stack.
 */
export function findMalformedText(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [current, path] = stack.pop() as [unknown, string];
    if (typeof current === 'string') {
      if (LONE_SURROGATE.test(current)) return path || 'payload';
    } else if (typeof current === 'object' && current !== null && !ArrayBuffer.isView(current)) {
      for (const [key, child] of Object.entries(current))
        stack.push([child, path ? `${path}.${key}` : key]);
    }
  }
  return undefined;
}
