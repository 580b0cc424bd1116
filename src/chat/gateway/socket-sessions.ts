import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AppError } from '../../common/errors/app-error';
import { AuthService } from '../../identity/auth.service';
import { SessionsEnded } from '../../identity/session-events';
import { SessionsService } from '../../identity/sessions.service';
import { userRoom } from '../../realtime/user-room';
import type { ChatNamespace, ChatSocket } from '../../realtime/realtime.events';

export const sessionRoom = (sessionId: string): string => `session:${sessionId}`;

// setTimeout's longest delay; a later expiry is re-armed when it fires.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Keeps each socket within its session: dropped when its access token runs out (unless renewed
 * in band by `auth:refresh`), and when its session ends, in whichever process it lives (the
 * adapter carries the disconnect). Either way it is told `session:expired` first.
 */
@Injectable()
export class SocketSessions {
  private readonly logger = new Logger(SocketSessions.name);
  private namespace?: ChatNamespace;
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
  ) {}

  attach(namespace: ChatNamespace): void {
    this.namespace = namespace;
  }

  /**
   * A new connection: into its session's room, and dropped when its token runs out. An end of the
   * session from now on reaches it through the room; one between the handshake and the join is
   * caught by looking again.
   */
  async watch(socket: ChatSocket): Promise<void> {
    await socket.join(sessionRoom(socket.data.user.sessionId));
    this.arm(socket);
    if (!(await this.sessions.isLive(socket.data.user.sessionId))) {
      socket.emit('session:expired', { reason: 'revoked' });
      socket.disconnect(true);
    }
  }

  /**
   * `auth:refresh`: a fresh token of the same user keeps the socket past its old token's end (it
   * may name another session of theirs, e.g. after signing in again). Returns its lifetime, s.
   */
  async renew(socket: ChatSocket, token: string): Promise<number> {
    const { user, expiresAt } = await this.auth.verify(token);
    if (user.id !== socket.data.user.id) {
      throw new AppError('FORBIDDEN', 'The token belongs to another user');
    }
    const previous = socket.data.user.sessionId;
    if (user.sessionId !== previous) {
      await socket.join(sessionRoom(user.sessionId));
      await socket.leave(sessionRoom(previous));
    }
    socket.data.user = user;
    socket.data.expiresAt = expiresAt.getTime();
    this.arm(socket);
    return Math.max(0, Math.round((expiresAt.getTime() - Date.now()) / 1000));
  }

  forget(socket: ChatSocket): void {
    clearTimeout(this.timers.get(socket.id));
    this.timers.delete(socket.id);
  }

  /** Sessions ended here or in another process: their sockets everywhere are told and dropped. */
  @OnEvent(SessionsEnded.event)
  ended({ userId, sessionIds, reason }: SessionsEnded): void {
    if (!this.namespace) return;
    const rooms = sessionIds ? sessionIds.map(sessionRoom) : [userRoom(userId)];
    this.namespace.to(rooms).emit('session:expired', { reason });
    this.namespace.in(rooms).disconnectSockets(true);
  }

  private arm(socket: ChatSocket): void {
    this.forget(socket);
    const remaining = (socket.data.expiresAt ?? 0) - Date.now();
    const timer = setTimeout(
      () => {
        this.timers.delete(socket.id);
        if ((socket.data.expiresAt ?? 0) > Date.now()) return this.arm(socket);
        this.logger.debug({ socketId: socket.id }, 'Access token ran out: disconnecting');
        socket.emit('session:expired', { reason: 'expired' });
        socket.disconnect(true);
      },
      Math.min(Math.max(remaining, 0), MAX_TIMER_MS),
    );
    timer.unref();
    this.timers.set(socket.id, timer);
  }
}
