/** Each event name with its listener's arguments. */
export type EventMap = Record<string, unknown[]>;

export type Listener<Args extends unknown[]> = (...args: Args) => void;

/** A minimal typed event emitter that runs in browsers and Node alike. */
export class Emitter<Events extends EventMap> {
  private readonly listeners: { [E in keyof Events]?: Set<Listener<Events[E]>> } = {};

  /** Subscribes `listener`; returns the function that unsubscribes it. */
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    (this.listeners[event] ??= new Set()).add(listener);
    return () => this.off(event, listener);
  }

  off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): void {
    this.listeners[event]?.delete(listener);
  }

  protected emit<E extends keyof Events>(event: E, ...args: Events[E]): void {
    for (const listener of this.listeners[event] ?? []) {
      // A throwing listener must not stop the others, nor the client's own bookkeeping.
      try {
        listener(...args);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  }
}
