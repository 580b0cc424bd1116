import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AddOutcome, PresenceStore } from './presence.store';

const PREFIX = 'chat:presence:';
const PROCESSES = `${PREFIX}processes`;
const aliveKey = (processId: string) => `${PREFIX}alive:${processId}`;
const userKey = (userId: string) => `${PREFIX}user:${userId}`;
const socketsOfKey = (processId: string) => `${PREFIX}sockets:${processId}`;

// Counts a user's sockets whose process is still alive. Members are "<processId>|<socketId>".
const COUNT = `
local alive = 0
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local process = string.match(member, '^(.-)|')
  if redis.call('EXISTS', ARGV[1] .. process) == 1 then alive = alive + 1 end
end`;
const COUNT_ALIVE = `${COUNT}
return alive`;

// Counts and adds in one script: Redis runs it alone, so the cap holds across processes.
const ADD = `${COUNT}
if alive >= tonumber(ARGV[5]) then return -1 end
redis.call('SADD', KEYS[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[4])
return alive + 1`;

const REMOVE = `
local removed = redis.call('SREM', KEYS[1], ARGV[2])
redis.call('SREM', KEYS[2], ARGV[3])
if removed == 0 then return -1 end
${COUNT_ALIVE}`;

/**
 * Presence shared by every server process through Redis. Each process keeps a liveness key
 * alive with a heartbeat; when one dies (kill -9), its key expires and a surviving process
 * reaps its sockets, so its users go offline within LIVENESS_MS plus one reap interval.
 */
export class RedisPresenceStore implements PresenceStore, OnModuleInit, OnApplicationShutdown {
  static readonly LIVENESS_MS = 15_000;
  static readonly HEARTBEAT_MS = 5_000;

  private readonly logger = new Logger(RedisPresenceStore.name);
  private readonly processId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private heartbeat?: NodeJS.Timeout;

  constructor(private readonly redis: Redis) {}

  async onModuleInit(): Promise<void> {
    await this.beat();
    this.heartbeat = setInterval(() => {
      this.beat().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'Presence heartbeat failed'),
      );
    }, RedisPresenceStore.HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    // Sockets were closed before this; whatever is left is reaped by the others.
    await this.redis.del(aliveKey(this.processId)).catch(() => undefined);
  }

  async add(userId: string, socketId: string, max: number): Promise<AddOutcome> {
    const alive = await this.redis.eval(
      ADD,
      3,
      userKey(userId),
      socketsOfKey(this.processId),
      PROCESSES,
      `${PREFIX}alive:`,
      `${this.processId}|${socketId}`,
      `${userId}|${socketId}`,
      this.processId,
      String(Number.isFinite(max) ? max : Number.MAX_SAFE_INTEGER),
    );
    if (alive === -1) return 'full';
    return alive === 1 ? 'first' : 'another';
  }

  async remove(userId: string, socketId: string): Promise<boolean> {
    const alive = await this.redis.eval(
      REMOVE,
      2,
      userKey(userId),
      socketsOfKey(this.processId),
      `${PREFIX}alive:`,
      `${this.processId}|${socketId}`,
      `${userId}|${socketId}`,
    );
    return alive === 0;
  }

  async count(userId: string): Promise<number> {
    return Number(await this.redis.eval(COUNT_ALIVE, 1, userKey(userId), `${PREFIX}alive:`));
  }

  async onlineAmong(userIds: readonly string[]): Promise<string[]> {
    const counts = await Promise.all(userIds.map((id) => this.count(id)));
    return userIds.filter((_, i) => counts[i] > 0);
  }

  async reapDead(): Promise<string[]> {
    const offline = new Set<string>();
    for (const processId of await this.redis.smembers(PROCESSES)) {
      if (processId === this.processId || (await this.redis.exists(aliveKey(processId)))) continue;
      // SREM answers 1 to exactly one reaper, so each dead process is reaped once.
      if ((await this.redis.srem(PROCESSES, processId)) !== 1) continue;
      for (const entry of await this.redis.smembers(socketsOfKey(processId))) {
        const [userId, socketId] = entry.split('|');
        await this.redis.srem(userKey(userId), `${processId}|${socketId}`);
        if ((await this.count(userId)) === 0) offline.add(userId);
      }
      await this.redis.del(socketsOfKey(processId));
      this.logger.log(`Reaped the sockets of dead process ${processId}`);
    }
    return [...offline];
  }

  private async beat(): Promise<void> {
    await this.redis.set(aliveKey(this.processId), '1', 'PX', RedisPresenceStore.LIVENESS_MS);
    await this.redis.sadd(PROCESSES, this.processId);
  }
}
