// The database's own ceiling: the driver's insertMany of 100 messages at a time, with the
// product's write concern, so the product's rate can be read against what the database takes.
import { createRequire } from 'node:module';
import { BODY_BYTES, log } from './harness.mjs';

const require = createRequire(import.meta.url);
const { MongoClient, ObjectId } = require('mongodb');

export async function dbCeiling(S, uri) {
  const client = await MongoClient.connect(uri, { writeConcern: { w: 'majority', journal: true } });
  const collection = client.db().collection('bench_ceiling');
  const conversationId = new ObjectId();
  let seq = 0;
  const batch = () =>
    Array.from({ length: 100 }, () => {
      seq += 1;
      const _id = new ObjectId();
      return {
        _id,
        conversationId,
        seq,
        senderId: conversationId,
        receiverId: null,
        body: 'x'.repeat(BODY_BYTES),
        clientMsgId: null,
        dedupeKey: `m:${_id}`,
        createdAt: new Date(),
        editedAt: null,
        deletedAt: null,
      };
    });
  const until = Date.now() + S.warmupMs + S.durationMs;
  let stored = 0;
  const measuredFrom = Date.now() + S.warmupMs;
  while (Date.now() < until) {
    await collection.insertMany(batch(), { ordered: false });
    if (Date.now() >= measuredFrom) stored += 100;
  }
  await collection.drop();
  await client.close();
  const result = {
    scenario: 'db-ceiling (insertMany of 100)',
    storedPerSecond: Math.round(stored / (S.durationMs / 1000)),
  };
  log(`${result.scenario}: ${result.storedPerSecond} stored/s`);
  return result;
}
