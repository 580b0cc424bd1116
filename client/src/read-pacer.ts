/**
 * At most `slots` catch-up reads at once, each turn given in the order asked. A conversation asks
 * again for each page, so its next page queues behind other conversations' first pages: many
 * conversations catching up at once all make progress, and none starves the others.
 */
export class ReadPacer {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly slots: number) {}

  async run<T>(read: () => Promise<T>): Promise<T> {
    if (this.running >= this.slots) await new Promise<void>((turn) => this.waiting.push(turn));
    else this.running += 1;
    try {
      return await read();
    } finally {
      // The slot passes straight to the next in line (the count stays), or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
