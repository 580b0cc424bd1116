import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The faults suite runs short in `npm test` (CI) and full in `npm run test:faults`; either way each
 * scenario writes its figures here, and the run's teardown renders them as one report.
 */
export type Profile = 'short' | 'full';

export const profile: Profile = process.env.FAULTS_PROFILE === 'full' ? 'full' : 'short';

/**
 * Liveness: once traffic stops, every send is answered within this many ms, on a loaded machine
 * too (a busy loop on one core).
 */
export const LIVENESS_BOUND_MS = 10_000;

/** Picks the short or the full value of a scenario's parameter. */
export const scaled = <T>(short: T, full: T): T => (profile === 'full' ? full : short);

export const reportDir = (): string =>
  process.env.FAULTS_REPORT_DIR ??
  join(
    __dirname,
    '..',
    '..',
    '..',
    profile === 'full' ? 'test/faults/results' : 'artifacts/faults',
  );

export interface Figure {
  name: string;
  value: number | string;
  /** A guarantee: anything but 0 is a failure (the spec asserts it too). */
  mustBeZero?: boolean;
  /** A bound: a value at or above it (or not a number) is a failure. */
  mustBeBelow?: number;
  /** Work the scenario must have done for its zeros to mean anything (sends, cuts, kills). */
  mustBeAtLeast?: number;
  unit?: string;
}

export interface ScenarioReport {
  scenario: string;
  /** What was done, in a sentence. */
  setup: string;
  profile: Profile;
  figures: Figure[];
  notes?: string[];
}

/** The liveness figure of a scenario with traffic (Traffic.lastAnswerAfterStopMs). */
export const livenessFigure = (ms: number): Figure => ({
  name: 'longest time from traffic stopped to last answer',
  value: Number.isFinite(ms) ? ms : 'some sends never answered',
  unit: 'ms',
  mustBeBelow: LIVENESS_BOUND_MS,
});

/** Whether a figure breaks its guarantee (or shows too little work done). */
export const violates = ({ value, mustBeZero, mustBeBelow, mustBeAtLeast }: Figure): boolean =>
  (mustBeZero === true && value !== 0) ||
  (mustBeBelow !== undefined && !(typeof value === 'number' && value < mustBeBelow)) ||
  (mustBeAtLeast !== undefined && !(typeof value === 'number' && value >= mustBeAtLeast));

/** What a figure must be, as the report says it. */
export const requirement = ({ mustBeZero, mustBeBelow, mustBeAtLeast, unit }: Figure): string => {
  const withUnit = (n: number): string => `${n}${unit ? ` ${unit}` : ''}`;
  if (mustBeZero) return ' (must be 0)';
  if (mustBeBelow !== undefined) return ` (must be below ${withUnit(mustBeBelow)})`;
  if (mustBeAtLeast !== undefined) return ` (must be at least ${withUnit(mustBeAtLeast)})`;
  return '';
};

/**
 * Fails the test with every figure that breaks its guarantee, so what the report calls a
 * guarantee is always asserted too.
 */
export function expectGuarantees(figures: readonly Figure[]): void {
  const broken = figures
    .filter(violates)
    .map((figure) => `${figure.name}: ${figure.value}${requirement(figure)}`);
  expect(broken).toEqual([]);
}

/**
 * Writes one scenario's figures (one file per scenario, so parallel workers do not collide), then
 * asserts its guarantees.
 */
export function record(report: Omit<ScenarioReport, 'profile'>): void {
  const dir = join(reportDir(), 'scenarios');
  mkdirSync(dir, { recursive: true });
  const file = report.scenario.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const full: ScenarioReport = { ...report, profile };
  writeFileSync(join(dir, `${file}.json`), `${JSON.stringify(full, null, 2)}\n`);
  expectGuarantees(report.figures);
}

/**
 * Counts the cases of a scenario made of many small checks, and the ones that failed (each case's
 * expectations throw), and records both when the file is done.
 */
export class ScenarioTally {
  private cases = 0;
  private failures = 0;
  private readonly extra: Figure[] = [];

  constructor(
    private readonly scenario: string,
    private readonly setup: string,
    /** What a failed case means, e.g. "accepted". */
    private readonly failureName: string,
  ) {}

  async run(check: () => Promise<void>): Promise<void> {
    this.cases += 1;
    try {
      await check();
    } catch (error) {
      this.failures += 1;
      throw error;
    }
  }

  /** A figure for the report, asserted at once if it is a guarantee. */
  figure(figure: Figure): void {
    this.extra.push(figure);
    expectGuarantees([figure]);
  }

  record(): void {
    record({
      scenario: this.scenario,
      setup: this.setup,
      figures: [
        { name: 'cases', value: this.cases },
        { name: this.failureName, value: this.failures, mustBeZero: true },
        ...this.extra,
      ],
    });
  }
}
