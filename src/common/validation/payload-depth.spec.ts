import fc from 'fast-check';
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan, textNestsDeeperThan } from './payload-depth';

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { key: value };
  return value;
};

/** A recursive measure to compare with (fine for the small values fast-check makes). */
const depthOf = (value: unknown): number =>
  typeof value === 'object' && value !== null
    ? 1 + Math.max(0, ...Object.values(value).map(depthOf))
    : 0;

describe('nestsDeeperThan', () => {
  it('accepts up to the limit and refuses one level more', () => {
    expect(nestsDeeperThan(nested(MAX_PAYLOAD_DEPTH))).toBe(false);
    expect(nestsDeeperThan(nested(MAX_PAYLOAD_DEPTH + 1))).toBe(true);
    expect(nestsDeeperThan('text')).toBe(false);
    expect(nestsDeeperThan(null)).toBe(false);
  });

  it('answers a 100,000-deep payload without overflowing the stack', () => {
    expect(nestsDeeperThan(nested(100_000))).toBe(true);
  });

  it('agrees with a recursive measure of depth', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 6 }), (value, max) => {
        expect(nestsDeeperThan(value, max)).toBe(depthOf(value) > max);
      }),
    );
  });

  it('judges JSON text as it would judge the parsed value, brackets in strings included', () => {
    expect(textNestsDeeperThan('{"a":"[[[[[[[[[[[[[[[[[[[[[[["}', 2)).toBe(false);
    expect(textNestsDeeperThan('["\\"", [[1]]]', 2)).toBe(true);
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 6 }), (value, max) => {
        expect(textNestsDeeperThan(JSON.stringify(value), max)).toBe(nestsDeeperThan(value, max));
      }),
    );
  });
});
