import { createHash } from 'node:crypto';
import { getConnectionToken } from '@nestjs/mongoose';
import { Types, type Connection } from 'mongoose';
import sharp from 'sharp';
import type { FileInfo } from '@nest-chat/protocol';
import { conversationHelpers } from './support/conversation-helpers';
import {
  bearer,
  directConversation,
  getHistory,
  keepBytes,
  useTestApp,
  type TestUser,
} from './support/test-app';

// Small for this file, so "over the limit" is quick to send.
process.env.FILE_MAX_BYTES = String(256 * 1024);

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Files: uploads streamed into GridFS, downloads only for those who may read them. */
describe('files and attachments', () => {
  const suite = useTestApp();
  const { users, group } = conversationHelpers(suite);
  const http = () => suite.app.http();
  const db = () => suite.app.app.get<Connection>(getConnectionToken());
  let photo: Buffer;

  beforeAll(async () => {
    photo = await sharp({
      create: { width: 800, height: 600, channels: 3, background: { r: 200, g: 40, b: 40 } },
    })
      .png()
      .toBuffer();
  });

  const upload = (user: TestUser, bytes: Buffer, filename: string, key?: string) => {
    const call = http().post('/api/files').set(bearer(user));
    if (key) call.set('Idempotency-Key', key);
    // The client's claimed type is a lie on purpose: the server sniffs.
    return call.attach('file', bytes, { filename, contentType: 'text/plain' });
  };
  const download = (user: TestUser, path: string) =>
    http().get(`/api/files/${path}`).set(bearer(user)).buffer(true).parse(keepBytes);
  const send = (user: TestUser, conversationId: string, body: string, attachments: string[]) =>
    http()
      .post(`/api/conversations/${conversationId}/messages`)
      .set(bearer(user))
      .send({ body, attachments });

  it('upload → send → another member downloads the same bytes; a stranger gets 404 for it and its thumbnail', async () => {
    const [ann, bob, eve] = await users(3);
    const conversationId = await directConversation(suite.app, ann, bob);
    const uploaded = await upload(ann, photo, 'red.png').expect(201);
    const file = uploaded.body as FileInfo;
    expect(file).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: 'red.png',
      contentType: 'image/png',
      size: photo.length,
      sha256: sha256(photo),
      width: 800,
      height: 600,
      createdAt: expect.any(String),
      uploaderId: ann.id,
    });
    // Before it is sent, only its uploader reads it.
    await download(bob, file.id).expect(404);
    const message = await send(ann, conversationId, '', [file.id]).expect(201);
    expect(message.body).toMatchObject({ body: '', attachments: [file] });

    const got = await download(bob, file.id).expect(200);
    expect(sha256(got.body as Buffer)).toBe(file.sha256);
    expect(got.headers).toMatchObject({
      'content-type': 'image/png',
      etag: `"${file.sha256}"`,
      'x-content-type-options': 'nosniff',
      'content-disposition': 'inline; filename="red.png"',
    });
    const thumbnail = await download(bob, `${file.id}/thumbnail`).expect(200);
    expect(thumbnail.headers['content-type']).toBe('image/webp');
    const { width, height } = await sharp(thumbnail.body as Buffer).metadata();
    expect([width, height]).toEqual([320, 240]);
    for (const path of [file.id, `${file.id}/thumbnail`]) {
      const hidden = await download(eve, path);
      const missing = await download(eve, '0123456789abcdef01234567');
      expect([hidden.status, hidden.body]).toEqual([404, missing.body]);
    }
    await download(bob, file.id).set('If-None-Match', `"${file.sha256}"`).expect(304);
    await download(bob, `${file.id}/thumbnail`)
      .set('If-None-Match', thumbnail.headers.etag)
      .expect(304);
    expect((await getHistory(suite.app, bob, conversationId)).items[0].attachments).toEqual([file]);
  });

  it('answers a Range with exactly those bytes (206), and the whole file for one it cannot serve', async () => {
    const [ann] = await users(1);
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    const file = (await upload(ann, bytes, 'data.bin').expect(201)).body as FileInfo;
    const part = await download(ann, file.id).set('Range', 'bytes=100-1099').expect(206);
    expect(part.headers['content-range']).toBe('bytes 100-1099/5000');
    expect((part.body as Buffer).equals(bytes.subarray(100, 1100))).toBe(true);
    const tail = await download(ann, file.id).set('Range', 'bytes=-10').expect(206);
    expect((tail.body as Buffer).equals(bytes.subarray(4990))).toBe(true);
    const beyond = await download(ann, file.id).set('Range', 'bytes=9000-9100').expect(200);
    expect((beyond.body as Buffer).length).toBe(5000);
    expect(file.contentType).toBe('application/octet-stream');
  });

  it('refuses an upload over the limit with 413 and keeps nothing of it', async () => {
    const [ann] = await users(1);
    const chunksBefore = await db().collection('uploads.chunks').countDocuments();
    const filesBefore = await db().collection('files').countDocuments({});
    const tooBig = Buffer.alloc(400 * 1024, 7);
    const refused = await upload(ann, tooBig, 'big.bin').catch(
      (error: { response?: { status: number } }) => error.response,
    );
    expect(refused?.status).toBe(413);
    expect(await db().collection('uploads.chunks').countDocuments()).toBe(chunksBefore);
    expect(await db().collection('files').countDocuments({})).toBe(filesBefore);
    // The server keeps serving.
    await upload(ann, Buffer.from('small'), 'small.txt').expect(201);
  });

  it('stores one file for one Idempotency-Key, however often it is sent', async () => {
    const [ann] = await users(1);
    const first = await upload(ann, photo, 'a.png', 'key-1').expect(201);
    const again = await upload(ann, photo, 'a.png', 'key-1').expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const records = await db().collection('files').countDocuments({ idempotencyKey: 'key-1' });
    expect(records).toBe(1);
  });

  it('serves HTML, SVG and XML as attachments, typed by their bytes, sandboxed', async () => {
    const [ann] = await users(1);
    const cases: [string, string, string][] = [
      ['page.txt', '<!doctype html><script>alert(1)</script>', 'text/html'],
      [
        'logo.png',
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        'image/svg+xml',
      ],
      ['data.json', '<?xml version="1.0"?><a/>', 'application/xml'],
    ];
    for (const [name, text, type] of cases) {
      const file = (await upload(ann, Buffer.from(text), name).expect(201)).body as FileInfo;
      expect(file.contentType).toBe(type);
      const got = await download(ann, file.id).expect(200);
      expect(got.headers['content-disposition']).toBe(`attachment; filename="${name}"`);
      expect(got.headers['content-security-policy']).toMatch(/sandbox/);
      expect(got.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('attaches only one’s own uploads, at most 10; a deleted message no longer opens its files', async () => {
    const [ann, bob] = await users(2);
    const id = await group(ann, [bob]);
    const bobs = (await upload(bob, Buffer.from('bob'), 'b.txt').expect(201)).body as FileInfo;
    const theirs = await send(ann, id, 'stolen', [bobs.id]);
    expect([theirs.status, theirs.body.error]).toEqual([404, 'NOT_FOUND']);
    const eleven = await send(ann, id, 'many', Array(11).fill(bobs.id));
    expect([eleven.status, eleven.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    const blank = await send(ann, id, '  ', []);
    expect(blank.status).toBe(400);
    expect((await getHistory(suite.app, ann, id)).items).toEqual([]);

    const mine = (await upload(ann, Buffer.from('note'), 'n.txt').expect(201)).body as FileInfo;
    const sent = await send(ann, id, 'see file', [mine.id]).expect(201);
    await download(bob, mine.id).expect(200);
    const deleted = await http()
      .delete(`/api/messages/${sent.body.id}`)
      .set(bearer(ann))
      .expect(200);
    expect(deleted.body.attachments).toEqual([]);
    await download(bob, mine.id).expect(404);
    await download(ann, mine.id).expect(200); // still its uploader's
  });

  it('refuses anything but one part named file (400), storing nothing', async () => {
    const [ann] = await users(1);
    const json = await http().post('/api/files').set(bearer(ann)).send({ file: 'x' });
    expect([json.status, json.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    const wrongField = await http()
      .post('/api/files')
      .set(bearer(ann))
      .attach('document', Buffer.from('x'), 'x.txt');
    expect(wrongField.status).toBe(400);
    const twoFiles = await http()
      .post('/api/files')
      .set(bearer(ann))
      .attach('file', Buffer.from('x'), 'x.txt')
      .attach('file', Buffer.from('y'), 'y.txt');
    expect(twoFiles.status).toBe(400);
    const badKey = await upload(ann, Buffer.from('x'), 'x.txt', 'k'.repeat(129));
    expect(badKey.status).toBe(400);
    const uploaderId = new Types.ObjectId(ann.id);
    expect(await db().collection('files').countDocuments({ uploaderId })).toBe(0);
  });
});
