import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Min } from 'class-validator';
import { Setting } from '../config/setting';

/** The database connection, and where the embedded development database keeps its files. */
export class DatabaseSettings {
  @Setting('`mongodb://` or `mongodb+srv://` URI, database name included', {
    shownDefault: 'embedded (not in production)',
  })
  @Matches(/^mongodb(\+srv)?:\/\/\S+$/, { message: 'MONGODB_URI must be a mongodb:// URI' })
  MONGODB_URI!: string;

  /** How long a database operation waits for a reachable server before failing as UNAVAILABLE. */
  @Setting('how long an operation waits for a reachable database before failing as `UNAVAILABLE`', {
    allowed: '≥ 100',
  })
  @Type(() => Number)
  @IsInt()
  @Min(100)
  MONGODB_TIMEOUT_MS = 3000;

  /**
   * How long an operation may wait for the database's answer before it fails as UNAVAILABLE: a
   * lost answer must not hold the message writer (and every send behind it) forever.
   */
  @Setting("how long an operation waits for the database's answer before failing `UNAVAILABLE`", {
    allowed: '≥ 1000',
  })
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  MONGODB_SOCKET_TIMEOUT_MS = 30_000;

  /** The embedded database's files, and the `local` file storage's (its `files/` folder). */
  @Setting('where the embedded database and the `local` file storage keep their files', {
    allowed: 'a path',
  })
  @IsString()
  DATA_DIR = 'data';

  /** A `mongod` for the embedded database (checked when it starts, before the rest). */
  @Setting('a `mongod` binary for the embedded database', {
    allowed: 'an existing file',
    shownDefault: '—',
  })
  @IsOptional()
  @IsString()
  MONGOD_PATH?: string;
}
