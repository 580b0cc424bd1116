import { Expose, Transform } from 'class-transformer';
import { idFrom } from '../../common/serialize';
import type { SessionInfo } from '@nest-chat/protocol';

export class SessionDto implements SessionInfo<Date> {
  @Expose()
  @Transform(idFrom('_id'))
  id!: string;

  @Expose()
  createdAt!: Date;

  /** The sign-in or the latest refresh. */
  @Expose()
  lastUsedAt!: Date;

  /** When it ends unless refreshed before. */
  @Expose()
  expiresAt!: Date;

  /** The client's User-Agent at sign-in (up to 200 characters). */
  @Expose()
  userAgent!: string;

  /** The session of the token that asked. */
  @Expose()
  current!: boolean;
}
