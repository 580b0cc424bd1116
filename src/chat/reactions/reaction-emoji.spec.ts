import { isReactionEmoji } from './reaction-emoji';

describe('isReactionEmoji', () => {
  it.each(['👍', '❤️', '👍🏽', '👩‍👩‍👧‍👦', '🇫🇷', '1️⃣', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', ':thumbsup:', ':+1:', ':a_b-c:'])(
    'takes %s',
    (emoji) => expect(isReactionEmoji(emoji)).toBe(true),
  );

  it.each([
    ['empty', ''],
    ['a letter', 'a'],
    ['a digit', '1'],
    ['two emoji', '👍👍'],
    ['an emoji with a letter', '👍a'],
    ['an emoji with a combining mark', '👍\u0301'],
    ['a lone surrogate', '\ud83d'],
    ['a short name with capitals', ':Thumbs:'],
    ['a short name too long', `:${'a'.repeat(33)}:`],
    ['a short name without colons', 'thumbsup'],
    ['an operator', '$gt'],
    ['a very long run of joiners', '👍' + '\u200D👍'.repeat(30)],
  ])('refuses %s', (_, emoji) => expect(isReactionEmoji(emoji)).toBe(false));

  it('refuses what is not a string', () => {
    expect(isReactionEmoji({ $gt: '' })).toBe(false);
    expect(isReactionEmoji(1)).toBe(false);
  });
});
