import { mentionedUsernames } from './mentions';

describe('mentionedUsernames', () => {
  it('finds @names at the start and after spaces or punctuation, lowercased, once each', () => {
    expect(mentionedUsernames('@Ann hi (@bob_2) and @ann again')).toEqual(['ann', 'bob_2']);
  });

  it('offers a name without its trailing full stop as well', () => {
    expect(mentionedUsernames('thanks @carol.')).toEqual(['carol.', 'carol']);
    expect(mentionedUsernames('ask @d.e.f.')).toEqual(['d.e.f.', 'd.e.f']);
  });

  it('ignores addresses, names too short or too long, and bodies without @', () => {
    expect(mentionedUsernames('mail ann@example.com')).toEqual([]);
    expect(mentionedUsernames('@ab @' + 'x'.repeat(33))).toEqual([]);
    expect(mentionedUsernames('no mentions here')).toEqual([]);
  });

  it('caps how many names one body asks about', () => {
    const body = Array.from({ length: 80 }, (_, i) => `@user${i}`).join(' ');
    expect(mentionedUsernames(body)).toHaveLength(50);
  });
});
