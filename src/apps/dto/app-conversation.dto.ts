import type { AppConversationBody } from '@nest-chat/protocol';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { MAX_INITIAL_MEMBERS } from '../../conversations/dto/create-group.dto';

/**
 * A conversation an app opens between users: `direct` with exactly two, or a `group` (title
 * required) whose first member is its creator and owner.
 */
export class AppConversationDto implements AppConversationBody {
  @IsIn(['direct', 'group'])
  type!: 'direct' | 'group';

  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(MAX_INITIAL_MEMBERS + 1)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  memberIds!: string[];

  @ValidateIf((dto: AppConversationDto) => dto.type === 'group' || dto.title !== undefined)
  @IsString()
  @Length(1, 100)
  @Matches(/\S/, { message: 'title must not be only whitespace' })
  @IsOptional()
  title?: string;
}
