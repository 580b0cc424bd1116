import { completeMention, mentionAt } from '../../client/src/mentions';

describe('mention helpers (client)', () => {
  it('finds the @name being typed before the caret', () => {
    expect(mentionAt('hi @Bo')).toEqual({ start: 3, prefix: 'bo' });
    expect(mentionAt('@')).toEqual({ start: 0, prefix: '' });
    expect(mentionAt('hi @bob and', 7)).toEqual({ start: 3, prefix: 'bob' });
  });

  it('is not in a mention after a space, inside an address, or without an @', () => {
    expect(mentionAt('hi @bob ')).toBeNull();
    expect(mentionAt('mail ann@exa')).toBeNull();
    expect(mentionAt('hello')).toBeNull();
  });

  it('completes the name, adds one space, and puts the caret after it', () => {
    const text = 'hi @bo how are you';
    const query = mentionAt(text, 6);
    expect(query).not.toBeNull();
    expect(completeMention(text, query!, 'bob_2')).toEqual({
      text: 'hi @bob_2 how are you',
      caret: 10,
    });
  });
});
