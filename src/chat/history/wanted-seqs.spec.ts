import fc from 'fast-check';
import type { SeqRange } from '../../persistence/messages/messages.repository';
import { wantedSeqs } from './wanted-seqs';

const inRange = (seq: number, { $gt = -Infinity, $lt = Infinity }: SeqRange): boolean =>
  seq > $gt && seq < $lt;

describe('wantedSeqs (what a sync reads)', () => {
  it('reads the gaps between the runs the client holds, and the tail', () => {
    expect(
      wantedSeqs(1, undefined, [
        [8, 8],
        [4, 5],
      ]),
    ).toEqual([{ $gt: 1, $lt: 4 }, { $gt: 5, $lt: 8 }, { $gt: 8 }]);
    expect(wantedSeqs(1, 10, [[4, 9]])).toEqual([{ $gt: 1, $lt: 4 }]);
    expect(wantedSeqs(0, undefined)).toEqual([{ $gt: 0 }]);
  });

  it('reads nothing when the client holds everything asked for', () => {
    expect(wantedSeqs(3, 4)).toEqual([]);
    expect(wantedSeqs(3, 10, [[4, 9]])).toEqual([]);
  });

  it('matches exactly the seqs after afterSeq, below beforeSeq, outside every run', () => {
    const run = fc
      .tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 10 }))
      .map(([from, length]): [number, number] => [from, from + length]);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.option(fc.integer({ min: 1, max: 80 }), { nil: undefined }),
        fc.array(run, { maxLength: 20 }),
        (afterSeq, beforeSeq, except) => {
          const ranges = wantedSeqs(afterSeq, beforeSeq, except);
          for (let seq = 1; seq <= 100; seq++) {
            const wanted =
              seq > afterSeq &&
              (beforeSeq === undefined || seq < beforeSeq) &&
              !except.some(([from, to]) => seq >= from && seq <= to);
            const covered = ranges.filter((range) => inRange(seq, range)).length;
            expect(covered).toBe(wanted ? 1 : 0); // each wanted seq read once, no other
          }
          for (const range of ranges) expect(range.$gt).toBeDefined();
        },
      ),
    );
  });
});
