import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { JwtService } from '@nestjs/jwt';
import type { Types } from 'mongoose';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { serialize } from '../common/serialize';
import type { IdentitySettings } from './identity.settings';
import type { Session } from '../persistence/sessions/session.schema';
import { SessionsRepository } from '../persistence/sessions/sessions.repository';
import { SessionDto } from './dto/session.dto';
import { RefreshTokens } from './refresh-tokens';
import { SessionEndReason, SessionsEnded } from './session-events';

/** What an access token says: the user and the session it belongs to. */
export interface AccessClaims {
  sub: string;
  sid: string;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

const SESSIONS_LISTED = 100;
const USER_AGENT_CHARS = 200;
const ENDED = 'The session has ended; sign in again';

/**
 * Sessions: one per sign-in. Access tokens are short and name their session, which every
 * authenticated request reads, so ending a session refuses its tokens at once; refresh tokens
 * rotate on every use, and a spent one presented again ends the session (it was copied).
 */
@Injectable()
export class SessionsService {
  private readonly refreshTokens: RefreshTokens;
  private readonly accessSeconds: number;
  private readonly sessionMs: number;
  private readonly retryGraceMs: number;

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly jwt: JwtService,
    private readonly events: EventEmitter2,
    config: ConfigService<IdentitySettings, true>,
  ) {
    this.refreshTokens = new RefreshTokens(config.get('JWT_SECRET', { infer: true }));
    this.accessSeconds = config.get('JWT_EXPIRES_IN', { infer: true });
    this.sessionMs = config.get('REFRESH_TOKEN_TTL_SECONDS', { infer: true }) * 1000;
    this.retryGraceMs = config.get('REFRESH_RETRY_GRACE_SECONDS', { infer: true }) * 1000;
  }

  /** A new session for a sign-in, and its first pair of tokens. */
  async start(
    user: { _id: Types.ObjectId; username: string },
    userAgent = '',
  ): Promise<IssuedTokens> {
    const now = new Date();
    const session = await this.sessions.create(
      {
        userId: user._id,
        username: user.username,
        userAgent: userAgent.slice(0, USER_AGENT_CHARS),
        expiresAt: new Date(now.getTime() + this.sessionMs),
      },
      now,
    );
    return this.issue(session, session.generation);
  }

  /**
   * Spends a refresh token for the next pair. The token just spent is answered again for a short
   * grace (with the current pair: a client whose answer was lost retries); any older one, or
   * that one later, is reuse: the session ends, for its thief and its owner alike.
   */
  async refresh(token: string): Promise<{ userId: Types.ObjectId; tokens: IssuedTokens }> {
    const claims = this.refreshTokens.verify(token);
    if (!claims) throw new AppError('UNAUTHORIZED', 'The refresh token is invalid');
    // Twice at most: a concurrent refresh with the same token may win the rotation in between.
    for (let attempt = 0; attempt < 2; attempt++) {
      const now = new Date();
      const session = await this.sessions.findById(claims.sessionId);
      if (!session || !this.liveAt(session, now)) throw new AppError('UNAUTHORIZED', ENDED);
      if (claims.generation > session.generation) {
        throw new AppError('UNAUTHORIZED', 'The refresh token is invalid');
      }
      if (claims.generation === session.generation) {
        const expiresAt = new Date(now.getTime() + this.sessionMs);
        if (await this.sessions.rotate(session._id, session.generation, now, expiresAt)) {
          return {
            userId: session.userId,
            tokens: await this.issue(session, session.generation + 1),
          };
        }
        continue;
      }
      const justSpent =
        claims.generation === session.generation - 1 &&
        session.rotatedAt !== null &&
        now.getTime() - session.rotatedAt.getTime() <= this.retryGraceMs;
      if (justSpent) {
        return { userId: session.userId, tokens: await this.issue(session, session.generation) };
      }
      await this.end(session.userId, session._id, 'reuse');
      throw new AppError(
        'UNAUTHORIZED',
        'The refresh token was already used: the session is ended',
      );
    }
    throw new AppError('UNAVAILABLE', 'The session changed while refreshing; retry');
  }

  /**
   * Verifies an access token and that its session is live: the user and session it names, and
   * when it runs out.
   */
  async verify(
    token: string,
  ): Promise<{ userId: string; username: string; sessionId: string; expiresAt: Date }> {
    let claims: AccessClaims & { exp: number };
    try {
      claims = await this.jwt.verifyAsync<AccessClaims & { exp: number }>(token);
    } catch {
      throw new AppError('UNAUTHORIZED', 'The access token is invalid or expired');
    }
    const session =
      typeof claims.sid === 'string' && /^[0-9a-f]{24}$/.test(claims.sid)
        ? await this.sessions.findById(parseId(claims.sid, 'Session'))
        : null;
    if (
      !session ||
      !this.liveAt(session, new Date()) ||
      session.userId.toHexString() !== claims.sub
    ) {
      throw new AppError('UNAUTHORIZED', 'The access token is invalid or expired');
    }
    return {
      userId: claims.sub,
      username: session.username,
      sessionId: claims.sid,
      expiresAt: new Date(claims.exp * 1000),
    };
  }

  /** The user's live sessions, most recently used first, marking the one asking. */
  async list(userId: string, currentSessionId: string): Promise<SessionDto[]> {
    const sessions = await this.sessions.live(parseId(userId, 'User'), new Date(), SESSIONS_LISTED);
    return sessions.map((session) =>
      serialize(SessionDto, {
        ...session,
        current: session._id.toHexString() === currentSessionId,
      }),
    );
  }

  /** Ends one of the user's own sessions (another user's is NOT_FOUND, like a missing one). */
  async endOwn(userId: string, sessionId: string, reason: SessionEndReason): Promise<void> {
    const id = parseId(sessionId, 'Session');
    const session = await this.sessions.findById(id);
    if (!session || session.userId.toHexString() !== userId || session.revokedAt) {
      throw new AppError('NOT_FOUND', 'Session not found');
    }
    await this.end(session.userId, id, reason);
  }

  /** Ends every session of the user (the account is being deleted). */
  async endAll(userId: Types.ObjectId, reason: SessionEndReason): Promise<void> {
    await this.sessions.revokeAll(userId, reason, new Date());
    this.events.emit(SessionsEnded.event, new SessionsEnded(userId.toHexString(), null, reason));
  }

  private async end(
    userId: Types.ObjectId,
    sessionId: Types.ObjectId,
    reason: SessionEndReason,
  ): Promise<void> {
    await this.sessions.revoke(sessionId, reason, new Date());
    // Also when it was already ended: a crash before the sockets were told is put right.
    this.events.emit(
      SessionsEnded.event,
      new SessionsEnded(userId.toHexString(), [sessionId.toHexString()], reason),
    );
  }

  /** Whether the session has neither ended nor run out (a socket admitted just as it ended). */
  async isLive(sessionId: string): Promise<boolean> {
    const session = await this.sessions.findById(parseId(sessionId, 'Session'));
    return session !== null && this.liveAt(session, new Date());
  }

  private liveAt(session: Session, now: Date): boolean {
    return session.revokedAt === null && session.expiresAt > now;
  }

  private async issue(session: Session, generation: number): Promise<IssuedTokens> {
    const claims: AccessClaims = {
      sub: session.userId.toHexString(),
      sid: session._id.toHexString(),
    };
    return {
      accessToken: await this.jwt.signAsync(claims),
      refreshToken: this.refreshTokens.mint(session._id, generation),
      expiresIn: this.accessSeconds,
    };
  }
}
