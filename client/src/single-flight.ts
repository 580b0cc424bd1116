/**
 * One run of a task per key at a time: asked again while it runs, it runs once more afterwards
 * (however many times it was asked), so what changed meanwhile is not missed.
 */
export class SingleFlight {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();

  constructor(
    private readonly task: (key: string) => Promise<void>,
    /** Whether a run asked for meanwhile should still happen (e.g. still connected). */
    private readonly mayRunAgain: () => boolean,
  ) {}

  run(key: string): Promise<void> {
    const running = this.running.get(key);
    if (running) {
      this.again.add(key);
      return running;
    }
    const run = this.task(key).finally(() => {
      this.running.delete(key);
      if (this.again.delete(key) && this.mayRunAgain()) void this.run(key);
    });
    this.running.set(key, run);
    return run;
  }
}
