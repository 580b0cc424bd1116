import { IsISO8601 } from 'class-validator';

export class ReplayDto {
  /** An ISO-8601 time: every event from then on is sent again, in order per conversation. */
  @IsISO8601({ strict: true })
  since!: string;
}
