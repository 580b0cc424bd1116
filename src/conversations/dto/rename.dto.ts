import { IsString, Length, Matches } from 'class-validator';
import type { RenameBody } from '@nest-chat/protocol';

/** `PATCH /api/conversations/:id`. */
export class RenameDto implements RenameBody {
  /** 1–100 characters, not only whitespace (as at creation). */
  @IsString()
  @Length(1, 100)
  @Matches(/\S/, { message: 'title must not be only whitespace' })
  title!: string;
}
