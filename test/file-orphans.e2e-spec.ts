import { getConnectionToken } from '@nestjs/mongoose';
import fc from 'fast-check';
import { Types, type Connection } from 'mongoose';
import type { FileInfo } from '@nest-chat/protocol';
import {
  bearer,
  directConversation,
  registerUser,
  useTestApp,
  waitFor,
  type TestUser,
} from './support/test-app';

// Orphans after 7.2 s here, looked for every second; a quota of 1 MiB per user.
process.env.FILE_ORPHAN_HOURS = '0.002';
process.env.FILE_SWEEP_SECONDS = '1';
const QUOTA = 1024 * 1024;
process.env.FILE_QUOTA_BYTES = String(QUOTA);

describe('orphaned files', () => {
  const suite = useTestApp();
  const db = () => suite.app.app.get<Connection>(getConnectionToken());
  const upload = (user: TestUser, bytes: number) =>
    suite.app
      .http()
      .post('/api/files')
      .set(bearer(user))
      .attach('file', Buffer.alloc(bytes, 7), 'blob.bin');
  /**
   * The bytes the user's ready files take, and the records that still count anything else once
   * every upload has answered (a reservation left behind, a failed upload's record).
   */
  const quotaOf = async (user: TestUser) => {
    const files = await db()
      .collection('files')
      .find({ uploaderId: new Types.ObjectId(user.id) })
      .toArray();
    const ready = files.filter((file) => file.status === 'ready');
    return {
      readyBytes: ready.reduce((sum, file) => sum + Number(file.size), 0),
      lingering: files.filter((file) => file.status !== 'ready' || file.reserved !== file.size),
    };
  };

  it('uploads at once cannot pass the quota together: each reserves its room first', async () => {
    const ann = await registerUser(suite.app);
    const statuses = await Promise.all(
      Array.from({ length: 8 }, async () => (await upload(ann, 300 * 1024)).status),
    );
    expect(statuses.filter((status) => status === 201)).toHaveLength(3);
    expect(statuses.filter((status) => status === 413)).toHaveLength(5);
    const { readyBytes, lingering } = await quotaOf(ann);
    expect(readyBytes).toBe(3 * 300 * 1024);
    expect(lingering).toEqual([]);
  });

  it('after any uploads at once the files never pass the quota, and nothing refused still counts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 400 * 1024 }), { minLength: 1, maxLength: 6 }),
        async (sizes) => {
          const user = await registerUser(suite.app);
          const statuses = await Promise.all(
            sizes.map(async (bytes) => (await upload(user, bytes)).status),
          );
          const { readyBytes, lingering } = await quotaOf(user);
          expect(readyBytes).toBeLessThanOrEqual(QUOTA);
          expect(lingering).toEqual([]);
          // Refused only when it would not have fitted beside what was stored.
          expect(statuses.every((status) => status === 201 || status === 413)).toBe(true);
        },
      ),
      { numRuns: 8 },
    );
  }, 60_000);

  it('a deleted message’s files are swept once nothing carries them, and the quota comes back', async () => {
    const [ann, bob] = [await registerUser(suite.app), await registerUser(suite.app)];
    const conversationId = await directConversation(suite.app, ann, bob);
    const big = (await upload(ann, 900 * 1024).expect(201)).body as FileInfo;
    const sent = await suite.app
      .http()
      .post(`/api/conversations/${conversationId}/messages`)
      .set(bearer(ann))
      .send({ body: 'here', attachments: [big.id] })
      .expect(201);
    expect((await upload(ann, 300 * 1024)).status).toBe(413);
    await suite.app
      .http()
      .delete(`/api/messages/${(sent.body as { id: string }).id}`)
      .set(bearer(ann))
      .expect(200);
    await waitFor(
      async () =>
        (await db()
          .collection('files')
          .countDocuments({ _id: new Types.ObjectId(big.id) })) === 0,
      30_000,
    );
    await upload(ann, 300 * 1024).expect(201);
    expect((await quotaOf(ann)).readyBytes).toBe(300 * 1024);
  }, 45_000);

  it('deletes a file no message took within FILE_ORPHAN_HOURS, bytes and all; a sent one stays', async () => {
    const [ann, bob] = [await registerUser(suite.app), await registerUser(suite.app)];
    const conversationId = await directConversation(suite.app, ann, bob);
    const upload = async (text: string) =>
      (
        await suite.app
          .http()
          .post('/api/files')
          .set(bearer(ann))
          .attach('file', Buffer.from(text), 'note.txt')
          .expect(201)
      ).body as FileInfo;
    const [kept, orphan] = [await upload('sent'), await upload('never sent')];
    await suite.app
      .http()
      .post(`/api/conversations/${conversationId}/messages`)
      .set(bearer(ann))
      .send({ body: 'here', attachments: [kept.id] })
      .expect(201);
    const db = suite.app.app.get<Connection>(getConnectionToken());
    const record = await db.collection('files').findOne({ _id: new Types.ObjectId(orphan.id) });
    const bytesId = new Types.ObjectId(String(record?.storageKey));
    expect(await db.collection('uploads.chunks').countDocuments({ files_id: bytesId })).toBe(1);

    const status = async (id: string) =>
      (await suite.app.http().get(`/api/files/${id}`).set(bearer(ann))).status;
    const chunks = () => db.collection('uploads.chunks').countDocuments({ files_id: bytesId });
    await waitFor(async () => (await status(orphan.id)) === 404, 30_000);
    // The record goes last: once it is gone, so are the bytes.
    await waitFor(
      async () => (await db.collection('files').countDocuments({ _id: record?._id })) === 0,
      10_000,
    );
    expect(await chunks()).toBe(0);
    expect(await status(kept.id)).toBe(200);
  }, 45_000);
  it('finishes a deletion a sweep left half-way; a file being deleted cannot be sent', async () => {
    const [ann, bob] = [await registerUser(suite.app), await registerUser(suite.app)];
    const conversationId = await directConversation(suite.app, ann, bob);
    const { body: file } = await suite.app
      .http()
      .post('/api/files')
      .set(bearer(ann))
      .attach('file', Buffer.from('claimed'), 'note.txt')
      .expect(201);
    const db = suite.app.app.get<Connection>(getConnectionToken());
    const id = new Types.ObjectId(String((file as FileInfo).id));
    // A sweep claimed it, then its process died before the bytes and the record were removed.
    await db.collection('files').updateOne({ _id: id }, { $set: { status: 'deleting' } });
    const refused = await suite.app
      .http()
      .post(`/api/conversations/${conversationId}/messages`)
      .set(bearer(ann))
      .send({ body: 'here', attachments: [id.toHexString()] });
    expect(refused.status).toBe(404);
    const record = await db.collection('files').findOne({ _id: id });
    const bytesId = new Types.ObjectId(String(record?.storageKey));
    await waitFor(
      async () => (await db.collection('files').countDocuments({ _id: id })) === 0,
      30_000,
    );
    expect(await db.collection('uploads.chunks').countDocuments({ files_id: bytesId })).toBe(0);
  }, 45_000);
});
