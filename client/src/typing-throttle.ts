type Timer = ReturnType<typeof setTimeout>;

/**
 * Outgoing typing indicators, as the protocol asks: `typing: true` at most once per
 * `intervalMs` while the user keeps typing, and `typing: false` once after `idleMs` without a
 * keystroke (or at once when told the user stopped, e.g. on send).
 */
export class TypingThrottle {
  private readonly typing = new Map<string, { sentAt: number; idle: Timer }>();

  constructor(
    private readonly send: (conversationId: string, typing: boolean) => void,
    private readonly intervalMs: number,
    private readonly idleMs: number,
  ) {}

  /** Call on every keystroke. */
  keystroke(conversationId: string): void {
    const now = Date.now();
    const current = this.typing.get(conversationId);
    if (current) clearTimeout(current.idle);
    const idle = setTimeout(() => this.stop(conversationId), this.idleMs);
    if (!current || now - current.sentAt >= this.intervalMs) {
      this.typing.set(conversationId, { sentAt: now, idle });
      this.send(conversationId, true);
    } else {
      current.idle = idle;
    }
  }

  /** The user stopped (sent, cleared the box, left): `typing: false` if `true` was sent. */
  stop(conversationId: string): void {
    const current = this.typing.get(conversationId);
    if (!current) return;
    clearTimeout(current.idle);
    this.typing.delete(conversationId);
    this.send(conversationId, false);
  }

  /** Forgets every indicator without sending anything (the connection is gone). */
  clear(): void {
    for (const { idle } of this.typing.values()) clearTimeout(idle);
    this.typing.clear();
  }
}
