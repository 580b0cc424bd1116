import type { RestClient, User } from '@nest-chat/client';

/** Display names by user id, fetched once each. */
export class UserDirectory {
  private readonly users = new Map<string, User>();
  private readonly loading = new Map<string, Promise<void>>();

  constructor(private readonly api: RestClient) {}

  add(user: User): void {
    this.users.set(user.id, user);
  }

  name(userId: string): string {
    return this.users.get(userId)?.displayName ?? '…';
  }

  /** The username of a user already loaded, for mentions. */
  username(userId: string): string | undefined {
    return this.users.get(userId)?.username;
  }

  /** Loads the users not known yet (failures leave the placeholder). */
  async load(userIds: readonly string[]): Promise<void> {
    await Promise.all(
      userIds
        .filter((id) => !this.users.has(id))
        .map((id) => {
          let pending = this.loading.get(id);
          if (!pending) {
            pending = this.api.user(id).then(
              (user) => this.add(user),
              () => undefined,
            );
            this.loading.set(id, pending);
          }
          return pending;
        }),
    );
  }

  /** The user with exactly this username, if any. */
  async byUsername(username: string): Promise<User | undefined> {
    const found = await this.api.searchUsers(username.toLowerCase());
    const user = found.find((candidate) => candidate.username === username.toLowerCase());
    if (user) this.add(user);
    return user;
  }
}
