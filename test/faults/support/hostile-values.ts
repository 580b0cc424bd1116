/**
 * The injection and malformed-input corpus. Each value is invalid where it is used: the
 * `universal` ones in place of any field or of a whole payload, the others for one kind of field.
 */
export interface Hostile {
  name: string;
  value: unknown;
  /** null means "absent" to an optional field: only tried on required ones. */
  nullish?: boolean;
}

const deep = (depth: number, leaf: unknown, wrap: (inner: unknown) => unknown): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = wrap(value);
  return value;
};

const parsed = (json: string): unknown => JSON.parse(json) as unknown;

export const universal: Hostile[] = [
  { name: '$gt operator', value: { $gt: '' } },
  { name: '$ne null', value: { $ne: null } },
  { name: '$where', value: { $where: 'sleep(1000) || true' } },
  { name: '$regex', value: { $regex: '.*' } },
  { name: '$exists', value: { $exists: true } },
  { name: '$in', value: { $in: ['a', 'b'] } },
  { name: '$nin', value: { $nin: [] } },
  { name: '$expr', value: { $expr: { $eq: [1, 1] } } },
  { name: '$function', value: { $function: { body: 'return 1', args: [], lang: 'js' } } },
  { name: '$elemMatch', value: { $elemMatch: { $gt: 0 } } },
  { name: '$set', value: { $set: { body: 'x' } } },
  { name: 'dotted key', value: { 'a.b': 1 } },
  { name: '__proto__ object', value: parsed('{"__proto__":{"polluted":true}}') },
  { name: '__proto__ string', value: parsed('{"__proto__":"x"}') },
  { name: 'constructor.prototype', value: { constructor: { prototype: { polluted: true } } } },
  { name: 'prototype key', value: { prototype: { polluted: true } } },
  { name: 'empty object', value: {} },
  { name: 'array of operators', value: [{ $gt: '' }] },
  { name: 'array of nulls', value: [null, null] },
  { name: 'nested arrays', value: [[['x']]] },
  { name: 'deep object (500 levels)', value: deep(500, 'x', (inner) => ({ a: inner })) },
  { name: 'deep array (500 levels)', value: deep(500, 1, (inner) => [inner]) },
  {
    name: 'wide object (2000 keys)',
    value: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i])),
  },
  { name: 'null', value: null, nullish: true },
];

export const forStrings: Hostile[] = [
  { name: 'number', value: 42 },
  { name: 'zero', value: 0 },
  { name: 'float', value: 1.5 },
  { name: 'huge number', value: 1e308 },
  { name: 'true', value: true },
  { name: 'false', value: false },
  { name: 'array of strings', value: ['a', 'b'] },
  { name: 'string of 5,000 characters', value: 'x'.repeat(5_000) },
  { name: 'string of 10,000 emoji', value: '😀'.repeat(10_000) },
  { name: 'lone high surrogate', value: 'abc\ud800' },
  { name: 'lone low surrogate', value: '\udc00abc' },
];

/** Message text, titles: also empty and blank. */
export const forText: Hostile[] = [
  ...forStrings,
  { name: 'empty string', value: '' },
  { name: 'blank string', value: ' \n\t ' },
];

/** clientMsgId: any 1–64 characters (opaque, so blank is allowed). */
export const forKeys: Hostile[] = [...forStrings, { name: 'empty string', value: '' }];

/** Ids: strings that are not ids (a 24-hex string naming nothing is NOT_FOUND, not here). */
export const forIds: Hostile[] = [
  ...forStrings,
  { name: 'empty id', value: '' },
  { name: 'short hex', value: '0123456789abcdef' },
  { name: 'quote injection', value: "' OR '1'='1" },
  { name: 'path traversal', value: '../../../etc/passwd' },
  { name: 'markup', value: '<script>alert(1)</script>' },
  { name: 'NUL byte', value: '0123456789abcdef0123456\u0000' },
];

/** Reaction emoji: one emoji grapheme or a `:short_name:` of 1–32 `[a-z0-9_+-]`. */
export const forEmoji: Hostile[] = [
  ...forStrings,
  { name: 'empty string', value: '' },
  { name: 'two emoji', value: '👍👍' },
  { name: 'a letter', value: 'a' },
  { name: 'a letter with a combining accent', value: 'e\u0301' },
  { name: 'an emoji with a combining accent', value: '👍\u0301' },
  { name: 'zalgo text', value: `z${'\u0336'.repeat(50)}` },
  { name: 'a long run of joined emoji', value: `👍${'\u200d👍'.repeat(30)}` },
  { name: 'short name with capitals', value: ':Thumbs:' },
  { name: 'short name of 33', value: `:${'a'.repeat(33)}:` },
  { name: 'bare colons', value: '::' },
  { name: 'operator as text', value: '$gt' },
];

/** seq, afterSeq, limit: non-negative integers (limit 1–100). */
export const forIntegers: Hostile[] = [
  { name: 'numeric string', value: '1' },
  { name: 'empty string', value: '' },
  { name: 'word', value: 'abc' },
  { name: 'negative', value: -1 },
  { name: 'fraction', value: 1.5 },
  { name: 'beyond safe integers', value: 2 ** 53 + 2 },
  { name: 'huge number', value: 1e308 },
  { name: 'true', value: true },
  { name: 'array of numbers', value: [1, 2] },
];

export const forBooleans: Hostile[] = [
  { name: 'string "true"', value: 'true' },
  { name: 'one', value: 1 },
  { name: 'zero', value: 0 },
  { name: 'empty string', value: '' },
  { name: 'array of booleans', value: [true] },
];

/** Query strings, as sent on the wire (each one invalid for the route it is tried on). */
export const forQueryIntegers: string[] = [
  'abc',
  '-1',
  '1.5',
  '1e400',
  '0x10',
  '%00',
  '',
  '9007199254740993',
];
export const queryShapes: string[] = ['[$gt]=1', '[$ne]=', '[]=1&{name}[]=2', '=1&{name}=2'];

/** Every distinct value or query in the corpus. */
export const corpusSize = (): number =>
  new Set(
    [...universal, ...forText, ...forIds, ...forEmoji, ...forIntegers, ...forBooleans].map(
      (h) => h.name,
    ),
  ).size +
  forQueryIntegers.length +
  queryShapes.length;
