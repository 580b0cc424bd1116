import { IsBoolean, IsString, MaxLength } from 'class-validator';
import type { ReactionPayload } from '@nest-chat/protocol';
import { IsReactionEmoji } from '../reactions/reaction-emoji';

/** `PUT`/`DELETE /api/messages/:id/reactions/:emoji`. */
export class ReactionParamsDto {
  @IsString()
  @MaxLength(64)
  id!: string;

  /** One emoji grapheme or a `:short_name:` of 1–32 `[a-z0-9_+-]`, URL-encoded. */
  @IsReactionEmoji()
  emoji!: string;
}

/** Socket `reaction`. */
export class ReactionDto implements ReactionPayload {
  @IsString()
  @MaxLength(64)
  messageId!: string;

  @IsReactionEmoji()
  emoji!: string;

  /** true sets it, false unsets it. */
  @IsBoolean()
  on!: boolean;
}
