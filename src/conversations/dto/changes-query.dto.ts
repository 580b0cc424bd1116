import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import type { ChangesPayload, ChangesQuery } from '@nest-chat/protocol';
import { decimalInteger } from '../../common/validation/decimal-integer';
import { ConversationPageDto, PageQueryDto } from '../../common/dto/conversation-page.dto';

/** `GET /api/conversations/:id/changes`. */
export class ChangesQueryDto extends PageQueryDto implements ChangesQuery {
  /** The highest rev the client holds (0 for none): every change after it is returned. */
  @Transform(decimalInteger)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  @ApiProperty({ type: 'integer' })
  afterRev!: number;
}

/** Socket `changes`: the same, with the conversation. */
export class ChangesDto extends ConversationPageDto implements ChangesPayload {
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  afterRev!: number;
}
