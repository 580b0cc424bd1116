import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { SyncPayload } from '@nest-chat/protocol';
import { ConversationPageDto } from '../../common/dto/conversation-page.dto';
import { IsSeqRuns } from './seq-runs';

export class SyncDto extends ConversationPageDto implements SyncPayload {
  /** The last seq the client holds (0 for none): every message after it is returned. */
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  afterSeq!: number;

  /**
   * Only messages below this seq: a client that holds later ones (heard live after a gap) asks
   * for just the gap.
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  beforeSeq?: number;

  /** Seq ranges `[from, to]` the client holds already: left out, so nothing is sent twice. */
  @IsOptional()
  @IsSeqRuns()
  except?: [number, number][];
}
