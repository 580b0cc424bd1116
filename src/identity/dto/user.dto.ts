import { Expose, Transform } from 'class-transformer';
import { idFrom } from '../../common/serialize';
import type { User } from '@nest-chat/protocol';

export class UserDto implements User<Date> {
  @Expose()
  @Transform(idFrom('_id'))
  id!: string;

  @Expose()
  username!: string;

  @Expose()
  displayName!: string;

  /** Instance-wide role: `admin` is granted only from the command line. */
  @Expose()
  @Transform(({ value }: { value: unknown }) => value ?? 'user')
  role!: 'user' | 'admin';

  /** An app's bot user. */
  @Expose()
  @Transform(({ value }: { value: unknown }) => value === true)
  bot!: boolean;

  /** ISO-8601 UTC. */
  @Expose()
  createdAt!: Date;
}
