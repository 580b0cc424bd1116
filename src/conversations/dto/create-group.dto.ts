import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, Length, Matches, MaxLength } from 'class-validator';
import type { CreateGroupBody } from '@nest-chat/protocol';

export const MAX_INITIAL_MEMBERS = 100;

export class CreateGroupDto implements CreateGroupBody {
  /** 1–100 characters, not only whitespace. */
  @IsString()
  @Length(1, 100)
  @Matches(/\S/, { message: 'title must not be only whitespace' })
  title!: string;

  /** Up to 100 user ids besides the creator, who is always a member. */
  @ApiProperty({ maxItems: MAX_INITIAL_MEMBERS })
  @IsArray()
  @ArrayMaxSize(MAX_INITIAL_MEMBERS)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  memberIds!: string[];
}
