import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { createValidationPipe } from '../../common/pipes/validation.pipe';
import { compiledSchemaOf } from '../../common/validation/compiled-schema';
import { SendMessageDto } from './send-message.dto';

const metadata: ArgumentMetadata = { type: 'body', metatype: SendMessageDto };
const pipe = createValidationPipe();
/** class-validator alone, as the pipe ran before the compiled schema (the parent's transform). */
const byClassValidator = (value: unknown): Promise<unknown> =>
  ValidationPipe.prototype.transform.call(pipe, value, metadata) as Promise<unknown>;
const compiled = compiledSchemaOf(SendMessageDto);

const STRINGS = [
  '',
  ' ',
  ' \n\t\u00a0',
  'a',
  'hello there',
  '\uFE0F',
  '\uFE0F\uFE0E',
  'a\uFE0F',
  '😀',
  '😀\uFE0F',
  '\u200b',
  'x'.repeat(64),
  'x'.repeat(65),
  '😀'.repeat(64),
  '😀'.repeat(33),
  '\uFE0F'.repeat(65),
  'x'.repeat(4000),
  'x'.repeat(4001),
  '😀'.repeat(2001),
];
const OTHERS = [0, 1, -1, 1.5, true, false, null, {}, { $gt: '' }, [], ['a']];
const ARRAYS = [[], ['a'], Array(10).fill('f'), Array(11).fill('f'), [1], ['x'.repeat(65)], [null]];
const KEYS = ['conversationId', 'to', 'body', 'attachments', 'clientMsgId', 'replyToId'];

/** A deterministic generator (a linear congruential one), so a failure repeats. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function payloads(count: number): unknown[] {
  const random = generator(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const value = (key: string): unknown => {
    const roll = random();
    if (key === 'attachments' && roll < 0.6) return pick(ARRAYS);
    return roll < 0.75 ? pick(STRINGS) : pick([...OTHERS, ...ARRAYS]);
  };
  const out: unknown[] = [null, 'text', 42, [], ['body']];
  for (let i = 0; i < count; i++) {
    const payload: Record<string, unknown> = {};
    // Mostly the keys a client sends, each present or not; now and then an unknown one.
    for (const key of KEYS) if (random() < (key === 'body' ? 0.9 : 0.4)) payload[key] = value(key);
    if (random() < 0.05) payload[pick(['extra', 'senderId'])] = value('extra');
    out.push(payload);
  }
  return out;
}

describe('SendMessageDto: the compiled schema (fast path) against class-validator', () => {
  it('is compiled for the socket send', () => {
    expect(compiled).toBeDefined();
  });

  it('accepts nothing class-validator refuses, and builds the same DTO', async () => {
    let taken = 0;
    for (const payload of payloads(20_000)) {
      if (!compiled?.(payload)) continue;
      taken += 1;
      const checked = await byClassValidator(payload).catch((error: Error) => error);
      expect({ payload, checked }).toEqual({ payload, checked: expect.any(SendMessageDto) });
      expect(await pipe.transform(payload, metadata)).toEqual(checked);
    }
    // The generator reaches the fast path often enough for the comparison to mean something.
    expect(taken).toBeGreaterThan(1_000);
  });

  it('takes the everyday sends', () => {
    for (const payload of [
      { conversationId: 'c'.repeat(24), body: 'hi' },
      { conversationId: 'c'.repeat(24), body: 'hi 😀', clientMsgId: 'k-1' },
      { to: 'u'.repeat(24), body: 'hi', replyToId: 'm'.repeat(24), attachments: ['f'] },
    ]) {
      expect(compiled?.(payload)).toBe(true);
    }
  });

  it('leaves the rest to class-validator, whose errors clients see', async () => {
    await expect(pipe.transform({ conversationId: 'c', body: '  ' }, metadata)).rejects.toThrow(
      /body must not be empty/,
    );
    await expect(pipe.transform({ body: 'hi' }, metadata)).rejects.toThrow(
      /conversationId or to is required/,
    );
    // Attachments only: refused by the schema, accepted by the DTO's rules.
    await expect(
      pipe.transform({ conversationId: 'c', body: '', attachments: ['f'] }, metadata),
    ).resolves.toBeInstanceOf(SendMessageDto);
  });
});
