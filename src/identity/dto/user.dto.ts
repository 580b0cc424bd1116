import { Expose, Transform } from 'class-transformer';
import { idFrom } from '../../common/serialize';

export class UserDto {
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
