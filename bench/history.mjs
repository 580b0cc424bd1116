// History paging in a long conversation: S.historyMessages stored straight into the database,
// then the latest page and a page from the middle timed through the REST API.
import { createRequire } from 'node:module';
import { json, log, pct, post } from './harness.mjs';

const require = createRequire(import.meta.url);
const { MongoClient, ObjectId } = require('mongodb');

// A pair with no messages yet (users 0 and 2 are in no direct conversation together).
export async function history(S, url, uri, [a, , b]) {
  const { id } = await post(`${url}/api/conversations/direct`, a.token, { userId: b.id });
  const client = await MongoClient.connect(uri);
  const messages = client.db().collection('messages');
  const conversationId = new ObjectId(id);
  const senderId = new ObjectId(a.id);
  for (let from = 1; from <= S.historyMessages; from += 5000) {
    const docs = [];
    for (let seq = from; seq < Math.min(from + 5000, S.historyMessages + 1); seq++) {
      const _id = new ObjectId();
      docs.push({
        _id,
        conversationId,
        seq,
        senderId,
        receiverId: new ObjectId(b.id),
        body: `message ${seq}`,
        clientMsgId: null,
        dedupeKey: `m:${_id}`,
        createdAt: new Date(),
        editedAt: null,
        deletedAt: null,
      });
    }
    await messages.insertMany(docs, { ordered: false });
  }
  await client.close();
  const timed = async (query) => {
    const samples = [];
    // Bounded in time too, so a slow server cannot stretch the run past its budget.
    const until = Date.now() + 20_000;
    for (let i = 0; i < S.historySamples && Date.now() < until; i++) {
      const started = performance.now();
      await json(`${url}/api/conversations/${id}/messages${query}`, {
        headers: { authorization: `Bearer ${a.token}` },
      });
      samples.push(performance.now() - started);
    }
    return { samples: samples.length, p50: pct(samples, 50), p99: pct(samples, 99) };
  };
  const result = {
    messages: S.historyMessages,
    latestPageMs: await timed('?limit=50'),
    deepPageMs: await timed(`?limit=50&beforeSeq=${Math.floor(S.historyMessages / 2)}`),
  };
  log(`history: latest p99 ${result.latestPageMs.p99} ms, deep p99 ${result.deepPageMs.p99} ms`);
  return result;
}
