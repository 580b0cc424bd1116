import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { FileInfo } from '@nest-chat/protocol';
import { bearer, keepBytes, registerUser, useTestApp } from './support/test-app';

// The store `npm start` uses on the embedded FerretDB: a directory, one process.
const dataDir = mkdtempSync(join(tmpdir(), 'chat-local-files-'));
process.env.FILE_STORAGE = 'local';
process.env.DATA_DIR = dataDir;
process.env.FILE_MAX_BYTES = String(256 * 1024);

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('files in a local directory (FILE_STORAGE=local)', () => {
  const suite = useTestApp();
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const stored = (): string[] => readdirSync(join(dataDir, 'files'));
  const get = (token: string, path: string) =>
    suite.app
      .http()
      .get(`/api/files/${path}`)
      .set('Authorization', `Bearer ${token}`)
      .buffer(true)
      .parse(keepBytes);

  it('stores, serves (with a range and a thumbnail) and refuses an oversized file leaving nothing', async () => {
    const user = await registerUser(suite.app);
    const photo = await sharp({
      create: { width: 640, height: 640, channels: 3, background: { r: 0, g: 90, b: 0 } },
    })
      .png()
      .toBuffer();
    const before = stored().length;
    const upload = (bytes: Buffer, name: string) =>
      suite.app.http().post('/api/files').set(bearer(user)).attach('file', bytes, name);
    const file = (await upload(photo, 'green.png').expect(201)).body as FileInfo;
    expect(file).toMatchObject({ contentType: 'image/png', width: 640, sha256: sha256(photo) });
    expect(stored().length).toBe(before + 2); // the bytes and the thumbnail

    const whole = await get(user.token, file.id).expect(200);
    expect(sha256(whole.body as Buffer)).toBe(file.sha256);
    const part = await get(user.token, file.id).set('Range', 'bytes=0-99').expect(206);
    expect((part.body as Buffer).equals(photo.subarray(0, 100))).toBe(true);
    const thumbnail = await get(user.token, `${file.id}/thumbnail`).expect(200);
    expect((await sharp(thumbnail.body as Buffer).metadata()).width).toBe(320);

    const refused = await upload(Buffer.alloc(300 * 1024, 1), 'big.bin').catch(
      (error: { response?: { status: number } }) => error.response,
    );
    expect(refused?.status).toBe(413);
    expect(stored().length).toBe(before + 2);
  });
});
