import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import type { MemberRole, SetRoleBody } from '@nest-chat/protocol';
import { MEMBER_ROLES } from './member.dto';

/** `PATCH /api/conversations/:id/members/:userId`. */
export class SetRoleDto implements SetRoleBody {
  /** `owner` hands ownership over (the former owner becomes an admin). */
  @ApiProperty({ enum: MEMBER_ROLES })
  @IsIn(MEMBER_ROLES)
  role!: MemberRole;
}
