import type { mongo } from 'mongoose';

/** A pooled connection as the driver holds it. */
export interface PooledConnection {
  id: number;
  socket: { destroy(): void };
}

/** A server's connection pool, as the driver holds it. */
export interface DriverPool {
  poolState: string;
  checkedOut: Set<PooledConnection>;
  waitQueue: { length: number };
}

/**
 * The connection pools of a client's servers: driver internals (no public API reaches a pooled
 * connection), for tests that break a connection or diagnose one held for ever.
 */
export function driverPools(client: mongo.MongoClient): DriverPool[] {
  const { topology } = client as unknown as {
    topology?: { s: { servers: Map<string, { pool: DriverPool }> } };
  };
  return [...(topology?.s.servers.values() ?? [])].map(({ pool }) => pool);
}
