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

  /** ISO-8601 UTC. */
  @Expose()
  createdAt!: Date;
}
