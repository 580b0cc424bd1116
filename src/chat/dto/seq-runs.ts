import { ValidateBy, type ValidationOptions } from 'class-validator';

/** At most this many runs in a sync's `except`: enough for every gap a reconnect storm leaves. */
export const MAX_EXCEPT_RUNS = 20;

const isSeq = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 1;

/** `[from, to]` pairs of seqs, from ≤ to, at most MAX_EXCEPT_RUNS of them. */
export function isSeqRuns(value: unknown): value is [number, number][] {
  return (
    Array.isArray(value) &&
    value.length <= MAX_EXCEPT_RUNS &&
    value.every(
      (run: unknown) =>
        Array.isArray(run) &&
        run.length === 2 &&
        isSeq(run[0]) &&
        isSeq(run[1]) &&
        run[0] <= run[1],
    )
  );
}

export const IsSeqRuns = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isSeqRuns',
      validator: {
        validate: isSeqRuns,
        defaultMessage: () =>
          `except must be at most ${MAX_EXCEPT_RUNS} [from, to] pairs of seqs (integers ≥ 1, from ≤ to)`,
      },
    },
    options,
  );
