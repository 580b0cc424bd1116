import { Gauge, type Registry } from 'prom-client';

/**
 * A gauge with one series per state (`{state="queued"}`, …), read at scrape time from whoever
 * reports it, so the path it describes pays nothing for it.
 */
export class StateGauge<State extends string> {
  private source?: () => Record<State, number>;
  private readonly gauge: Gauge<'state'>;

  constructor(name: string, help: string, registry: Registry) {
    this.gauge = new Gauge({
      name,
      help,
      labelNames: ['state'] as const,
      registers: [registry],
      collect: () => {
        const values = this.source?.() ?? ({} as Record<State, number>);
        for (const [state, value] of Object.entries<number>(values)) {
          this.gauge.set({ state }, value);
        }
      },
    });
  }

  /** Where the values are read from at the next scrape. */
  report(source: () => Record<State, number>): void {
    this.source = source;
  }

  get(): ReturnType<Gauge<'state'>['get']> {
    return this.gauge.get();
  }
}
