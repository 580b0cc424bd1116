type Timer = ReturnType<typeof setTimeout>;

/**
 * Who is typing where, from incoming `typing` events. A `typing: false` can be lost (the typist's
 * connection dropped), so each `true` also expires after `expireMs` unless repeated.
 */
export class TypingTracker {
  private readonly typists = new Map<string, Map<string, Timer>>();

  constructor(
    private readonly changed: (conversationId: string, userIds: string[]) => void,
    private readonly expireMs: number,
  ) {}

  set(conversationId: string, userId: string, typing: boolean): void {
    let users = this.typists.get(conversationId);
    const timer = users?.get(userId);
    if (timer) clearTimeout(timer);
    if (typing) {
      if (!users) this.typists.set(conversationId, (users = new Map<string, Timer>()));
      users.set(
        userId,
        setTimeout(() => this.set(conversationId, userId, false), this.expireMs),
      );
      if (!timer) this.changed(conversationId, this.who(conversationId));
    } else if (timer) {
      users?.delete(userId);
      this.changed(conversationId, this.who(conversationId));
    }
  }

  who(conversationId: string): string[] {
    return [...(this.typists.get(conversationId)?.keys() ?? [])];
  }

  clear(): void {
    for (const [conversationId, users] of this.typists) {
      for (const timer of users.values()) clearTimeout(timer);
      users.clear();
      this.changed(conversationId, []);
    }
    this.typists.clear();
  }
}
