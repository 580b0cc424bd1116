import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';

/** FerretDB v1 inserts in chunks of this many documents (its --test-batch-size default). */
const FERRETDB_INSERT_CHUNK = 100;

/**
 * What the connected database can do, where MongoDB and FerretDB differ: detected once at
 * start-up, and the one place every database-specific choice reads. Until detection has run
 * (or when it fails) each capability holds the value that is safe on both.
 *
 * Tested here on FerretDB v1.24.2; the MongoDB values are untested on these machines.
 */
@Injectable()
export class DatabaseCapabilities implements OnApplicationBootstrap {
  /** The server: `mongodb`, `ferretdb`, or `unknown` until detected. */
  server: 'mongodb' | 'ferretdb' | 'unknown' = 'unknown';

  /**
   * The most documents one ordered insert may carry and still stop at a refused document: past a
   * refusal FerretDB v1 goes on with its next internal chunk; MongoDB stops whatever the size.
   */
  maxOrderedInsert = FERRETDB_INSERT_CHUNK;

  constructor(@InjectConnection() private readonly connection: Connection) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const info = await this.connection.db?.admin().command({ buildInfo: 1 });
      if (!info) return;
      this.server = 'ferretdbVersion' in info ? 'ferretdb' : 'mongodb';
      this.maxOrderedInsert =
        this.server === 'mongodb' ? Number.POSITIVE_INFINITY : FERRETDB_INSERT_CHUNK;
    } catch {
      // Unknown server: keep what is safe on both.
    }
  }
}
