import { createHmac, timingSafeEqual } from 'node:crypto';
import { Types } from 'mongoose';

export interface RefreshTokenClaims {
  sessionId: Types.ObjectId;
  generation: number;
}

/**
 * Refresh tokens: `<session id>.<generation>.<MAC>`, the MAC keyed by the server's secret. The
 * session stores only its current generation, so nothing in the database is a usable token, a
 * forged one fails before any read, and a spent one (an older generation) is recognised as such.
 */
export class RefreshTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    // Its own key, derived, so a refresh token can never pass as anything else signed with it.
    this.key = createHmac('sha256', secret).update('refresh-token key').digest();
  }

  mint(sessionId: Types.ObjectId, generation: number): string {
    const body = `${sessionId.toHexString()}.${generation}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The token's claims, or null when it is malformed or not signed by this server. */
  verify(token: string): RefreshTokenClaims | null {
    const match = /^([0-9a-f]{24})\.(\d{1,9})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return null;
    const [, id, generation, mac] = match;
    const expected = Buffer.from(this.mac(`${id}.${generation}`));
    const given = Buffer.from(mac);
    if (!timingSafeEqual(expected, given)) return null;
    return { sessionId: new Types.ObjectId(id), generation: Number(generation) };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
