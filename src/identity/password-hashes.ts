import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import * as argon2 from 'argon2';
import { AppError } from '../common/errors/app-error';
import { ReadGate, shareOf } from '../common/read-gate';
import type { IdentitySettings } from './identity.settings';

/** How long a hash may wait for its turn before its caller is told to come back. */
const MAX_WAIT_MS = 10_000;

/**
 * Every argon2 hash and verification of the process, at most PASSWORD_HASHES_IN_FLIGHT at once
 * (each takes 64 MiB and a core for a while): a flood of logins queues briefly and is then
 * refused with RATE_LIMITED, instead of taking the memory and CPU every other user needs.
 */
@Injectable()
export class PasswordHashes {
  private readonly gate: ReadGate;
  private calls = 0;

  constructor(config: ConfigService<IdentitySettings, true>) {
    const inFlight = config.get('PASSWORD_HASHES_IN_FLIGHT', { infer: true });
    const queued = config.get('PASSWORD_HASHES_QUEUED', { infer: true });
    this.gate = new ReadGate(
      { inFlight, queued, maxWaitMs: MAX_WAIT_MS, perOwner: shareOf(inFlight + queued) },
      undefined,
      () => new AppError('RATE_LIMITED', 'Too many sign-ins at once; retry shortly', 1),
    );
  }

  /** `owner` (the client's address, or the user) is held to its share of the hashing. */
  hash(password: string, owner?: string): Promise<string> {
    return this.run(() => argon2.hash(password, { type: argon2.argon2id }), owner);
  }

  verify(hash: string, password: string, owner?: string): Promise<boolean> {
    return this.run(() => argon2.verify(hash, password), owner);
  }

  /** Each call its own key: the gate must never share one caller's answer with another. */
  private run<T>(work: () => Promise<T>, owner?: string): Promise<T> {
    this.calls += 1;
    return this.gate.run(`hash:${this.calls}`, work, undefined, owner);
  }
}
