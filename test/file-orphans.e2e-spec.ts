import { getConnectionToken } from '@nestjs/mongoose';
import { Types, type Connection } from 'mongoose';
import type { FileInfo } from '@nest-chat/protocol';
import { bearer, directConversation, registerUser, useTestApp, waitFor } from './support/test-app';

// Orphans after 7.2 s here, looked for every second.
process.env.FILE_ORPHAN_HOURS = '0.002';
process.env.FILE_SWEEP_SECONDS = '1';

describe('orphaned files', () => {
  const suite = useTestApp();

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
