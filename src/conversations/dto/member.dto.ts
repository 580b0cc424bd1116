import { ApiProperty } from '@nestjs/swagger';
import { Expose, Transform } from 'class-transformer';
import type { Member, MemberRole } from '@nest-chat/protocol';
import { idFrom } from '../../common/serialize';

export const MEMBER_ROLES: MemberRole[] = ['owner', 'admin', 'member'];

/** A member and their role: a group has one owner; both members of a direct one are `member`. */
export class MemberDto implements Member<Date> {
  @Expose()
  @Transform(idFrom('userId'))
  userId!: string;

  @Expose()
  @ApiProperty({ enum: MEMBER_ROLES })
  role!: MemberRole;

  @Expose()
  joinedAt!: Date;
}
