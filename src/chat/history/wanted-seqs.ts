import type { SeqRange } from '../../persistence/messages/messages.repository';

/**
 * The seq ranges a sync reads: after `afterSeq` and below `beforeSeq` (if given), less the runs
 * the client holds (`except`, `[from, to]` inclusive, in any order, overlapping or not). Empty when
 * nothing is left; one range per gap between the runs, plus the tail beyond the last one.
 */
export function wantedSeqs(
  afterSeq: number,
  beforeSeq: number | undefined,
  except: readonly (readonly [number, number])[] = [],
): SeqRange[] {
  const end = beforeSeq ?? Number.POSITIVE_INFINITY;
  const ranges: SeqRange[] = [];
  let from = afterSeq; // the ranges so far cover every wanted seq up to `from`
  for (const [first, last] of [...except].sort((a, b) => a[0] - b[0])) {
    if (last <= from) continue;
    if (first >= end) break;
    if (first > from + 1) ranges.push({ $gt: from, $lt: first });
    from = Math.max(from, last);
  }
  if (from + 1 < end)
    ranges.push(beforeSeq === undefined ? { $gt: from } : { $gt: from, $lt: end });
  return ranges;
}
