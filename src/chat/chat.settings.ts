import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { Setting } from '../config/setting';

/** Sockets, the message writer's group commit, and the writer lease when scaled out. */
export class ChatSettings {
  /** socket.io frames above this many bytes close that connection (transport limit). */
  @Setting('a larger socket.io frame closes that connection', { allowed: '≥ 16384' })
  @Type(() => Number)
  @IsInt()
  @Min(16_384)
  SOCKET_MAX_FRAME_BYTES = 65_536;

  /** Open sockets one user may hold at once (across processes with Redis). */
  @Setting('further handshakes fail with `RATE_LIMITED`', { allowed: '≥ 1' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  SOCKET_MAX_CONNECTIONS_PER_USER = 20;

  /**
   * Packets one socket may send per second (in bursts of 4 s' worth), charged before anything is
   * parsed or validated; one over is refused RATE_LIMITED, a flood is disconnected.
   */
  @Setting(
    'packets one socket may send a second (bursts of 4 s), charged before parsing; over: `RATE_LIMITED`',
    { allowed: '≥ 1' },
  )
  @Type(() => Number)
  @IsInt()
  @Min(1)
  SOCKET_PACKETS_PER_SECOND = 50;

  /** Invalid packets (VALIDATION_FAILED) one socket may send within 10 s before it is disconnected. */
  @Setting(
    'invalid packets (`VALIDATION_FAILED`) one socket may send in 10 s before it is disconnected',
    { allowed: '≥ 1' },
  )
  @Type(() => Number)
  @IsInt()
  @Min(1)
  SOCKET_INVALID_PACKETS = 20;

  /** Group commit: most messages stored by one insert. 1 turns batching off (one per write). */
  @Setting('group commit: most messages per insert (100 at most on FerretDB); `1` turns it off', {
    allowed: '1–1000',
  })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  MESSAGE_BATCH_MAX = 256;

  /** Group commit: how long a batch that is not full may wait for more sends, in ms. */
  @Setting('group commit: how long a batch that is not full may wait for more sends', {
    allowed: '0–1000',
  })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1000)
  MESSAGE_BATCH_WAIT_MS = 0;

  /** Group commit: batches being stored at once per process (one conversation is in at most one). */
  @Setting('group commit: batches being stored at once per process', { allowed: '1–1000' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  MESSAGE_WRITES_IN_FLIGHT = 1;

  /**
   * With Redis: how long a process's lease on numbering a conversation's messages lasts unless
   * renewed (the others forward their sends to it), ms. Also how long a killed process's
   * conversations wait before another takes them over.
   */
  @Setting(
    "with Redis: how long a process's lease on writing a conversation lasts unless renewed (the others forward to it)",
    { allowed: '500–60000' },
  )
  @Type(() => Number)
  @IsInt()
  @Min(500)
  @Max(60_000)
  WRITER_LEASE_MS = 3_000;
}
