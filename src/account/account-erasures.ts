import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Types } from 'mongoose';
import { MessagesService } from '../chat/messages.service';
import { GroupMembers } from '../conversations/group-members';
import { SessionsService } from '../identity/sessions.service';
import { UsersRepository } from '../persistence/users/users.repository';

/** How long the process erasing an account holds it before any other may take it over. */
export const ERASURE_HOLD_MS = 10 * 60 * 1000;
const SWEEP_EVERY_MS = 60 * 1000;

/**
 * What a deleted account leaves behind, erased after the account is marked deleted (so nothing
 * can sign in meanwhile): its sessions, every message it sent, its groups. Derived from stored
 * state: a process that dies half-way leaves the account held only until ERASURE_HOLD_MS, then
 * any process's sweep finishes it; every step can be repeated.
 */
@Injectable()
export class AccountErasures implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AccountErasures.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsService,
    private readonly groups: GroupMembers,
    private readonly messages: MessagesService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep().catch(() => undefined), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Erases what the (already marked) account holds; how many messages it deleted. */
  async erase(id: Types.ObjectId): Promise<number> {
    await this.sessions.endAll(id, 'account-deleted');
    const erased = await this.messages.eraseAllBy(id.toHexString());
    await this.groups.leaveAll(id.toHexString());
    // A sign-in or a send that was under way as the account was marked: ended and erased too.
    await this.sessions.endAll(id, 'account-deleted');
    const late = await this.messages.eraseAllBy(id.toHexString());
    await this.users.markErased(id, new Date());
    return erased + late;
  }

  /** Finishes the deletions whose process stopped half-way (one sweep at a time per process). */
  sweep(): Promise<number> {
    this.running ??= this.finishUnfinished().finally(() => (this.running = undefined));
    return this.running;
  }

  private async finishUnfinished(): Promise<number> {
    let finished = 0;
    for (;;) {
      let id: Types.ObjectId | null;
      try {
        const now = new Date();
        id = await this.users.claimUnfinishedErasure(
          now,
          new Date(now.getTime() + ERASURE_HOLD_MS),
        );
      } catch (error) {
        this.logger.warn(
          { err: error },
          'Finishing account deletions failed; the next sweep retries',
        );
        return finished;
      }
      if (!id) return finished;
      try {
        const messages = await this.erase(id);
        this.logger.log({ userId: id.toHexString(), messages }, 'Finished an account deletion');
        finished += 1;
      } catch (error) {
        // Held until its claim lapses, then tried again; the others go on now.
        this.logger.warn(
          { err: error, userId: id.toHexString() },
          'Finishing an account deletion failed; it is tried again later',
        );
      }
    }
  }
}
