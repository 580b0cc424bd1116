import { mongo } from 'mongoose';
import { driverPools } from './support/driver-internals';

/**
 * The MongoDB driver as patched (patches/mongodb+*.patch): a database that dies under the server
 * must fail its operations, never leave them waiting. Unpatched, a command written to a socket
 * destroyed an instant before its 'close' event waits for a 'drain' that never comes, holding
 * its connection, and whatever awaits it (the message writer's batch) for ever: the database-kill
 * fault's stuck runs, found with FerretDB's goroutines idle and one connection checked out.
 */
describe('database driver', () => {
  let client: mongo.MongoClient;
  beforeAll(async () => {
    client = await mongo.MongoClient.connect(process.env.MONGODB_URI ?? '', {
      serverSelectionTimeoutMS: 2_000,
    });
  });
  afterAll(() => client.close());

  it('fails a command whose socket was destroyed as it was checked out, instead of waiting for ever', async () => {
    const [pool] = driverPools(client);
    // The socket dies between the checkout and the write, as when the database is killed.
    client.once(
      'connectionCheckedOut',
      ({ connectionId }: { connectionId: number | '<monitor>' }) => {
        for (const connection of pool.checkedOut) {
          if (connection.id === connectionId) connection.socket.destroy();
        }
      },
    );

    const outcome = await Promise.race([
      client
        .db('admin')
        .command({ ping: 1 })
        .then(
          () => 'answered',
          (error: Error) => error,
        ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5_000)),
    ]);

    expect(outcome).toBeInstanceOf(mongo.MongoNetworkError);
    // And the client goes on working on a fresh connection.
    await expect(client.db('admin').command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
  });
});
