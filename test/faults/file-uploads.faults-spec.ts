import { createHash, randomBytes } from 'node:crypto';
import { getConnectionToken } from '@nestjs/mongoose';
import { Types, type Connection } from 'mongoose';
import { readFileSync } from 'node:fs';
import { ChatClient, type FileInfo } from '../../client/src';
import { startServer } from '../support/processes';
import { useOwnDatabase } from '../support/own-database';
import { registerUser, waitFor } from '../support/test-app';
import { record } from './support/report';

const MIB = 1024 * 1024;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Uploads under faults: the database killed while a file's chunks are being written, and many
 * uploads at once (memory). Owns its database, so killing it disturbs no other file.
 */
describe('fault: file uploads', () => {
  const own = useOwnDatabase('faults_files');
  const db = () => own.app.app.get<Connection>(getConnectionToken());

  it('the database killed during an upload: the client’s retry under the same key stores exactly one complete file', async () => {
    const user = await registerUser(own.app);
    const client = new ChatClient({
      url: own.app.url,
      token: user.token,
      retryBaseMs: 200,
      retryMaxMs: 1000,
    });
    const bytes = new Uint8Array(randomBytes(20 * MIB));
    const uploaderId = new Types.ObjectId(user.id);
    const chunksBefore = await db().collection('uploads.chunks').countDocuments();

    const uploading = client.upload(new Blob([bytes]), {
      name: 'big.bin',
      idempotencyKey: 'kill-1',
    });
    // Killed once some of its chunks are written, and well before all of them (80).
    await waitFor(
      async () => (await db().collection('uploads.chunks').countDocuments()) > chunksBefore + 3,
      30_000,
    );
    const chunksAtKill = (await db().collection('uploads.chunks').countDocuments()) - chunksBefore;
    const killedAt = Date.now();
    await own.kill();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await own.restart();
    const file = await uploading;
    const recoveredMs = Date.now() - killedAt;

    const records = await db().collection('files').find({ uploaderId }).toArray();
    const response = await fetch(client.api.fileUrl(file.id), {
      headers: { authorization: `Bearer ${user.token}` },
    });
    const stored = new Uint8Array(await response.arrayBuffer());
    const storageIds = records.map((r) => new Types.ObjectId(String(r.storageKey)));
    const stray = await db()
      .collection('uploads.files')
      .countDocuments({ _id: { $nin: storageIds }, filename: 'upload' });
    record({
      scenario: 'Database killed during an upload',
      setup:
        'A 20 MiB upload through the client library (one Idempotency-Key); FerretDB killed with ' +
        'kill -9 once its first chunks were written, restarted 2 s later; the client retries by itself.',
      figures: [
        {
          name: 'file records for the key',
          value: records.length,
          mustBeAtLeast: 1,
          mustBeBelow: 2,
        },
        {
          name: 'stored bytes differing from the sent ones',
          value: sha256(stored) === sha256(bytes) ? 0 : 1,
          mustBeZero: true,
        },
        // A kill after the last chunk would not test anything.
        { name: 'chunks written when killed (of 80)', value: chunksAtKill, mustBeBelow: 80 },
        { name: 'upload answered after the kill', value: recoveredMs, unit: 'ms' },
        { name: 'complete GridFS files no record refers to', value: stray },
      ],
    });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      status: 'ready',
      idempotencyKey: 'kill-1',
      size: bytes.length,
    });
    expect(file.sha256).toBe(sha256(bytes));
    expect(sha256(stored)).toBe(sha256(bytes));
  }, 120_000);

  it('20 uploads at once: the server’s memory does not grow with the files’ size (streamed, not buffered)', async () => {
    const uploads = 20;
    // The built server in its own process, so its memory is measured alone (no clients in it).
    const server = await startServer({ MONGODB_URI: own.uri, RATE_LIMIT_AUTH: '1000000' });
    try {
      const tokens = await Promise.all(
        Array.from({ length: uploads }, async (_, i) => {
          const response = await fetch(`${server.url}/api/auth/register`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              username: `mem_${process.pid}_${i}`,
              password: 'correct horse battery',
            }),
          });
          return ((await response.json()) as { accessToken: string }).accessToken;
        }),
      );
      const clients = tokens.map((token) => new ChatClient({ url: server.url, token }));
      /** Everyone uploads `mib` at once; how much the server's resident memory rose at its peak. */
      const round = async (mib: number): Promise<number> => {
        const blobs = clients.map(() => new Blob([randomBytes(mib * MIB)]));
        await new Promise((resolve) => setTimeout(resolve, 500));
        const baseline = residentBytes(server.pid);
        let peak = baseline;
        const sampler = setInterval(() => (peak = Math.max(peak, residentBytes(server.pid))), 10);
        try {
          const files: FileInfo[] = await Promise.all(
            clients.map((client, i) => client.upload(blobs[i])),
          );
          expect(files.map((file) => file.size)).toEqual(Array(uploads).fill(mib * MIB));
        } finally {
          clearInterval(sampler);
        }
        return (peak - baseline) / MIB;
      };
      await round(0.25); // warm-up: modules loaded, code compiled
      const [small, large] = [2, 10];
      const riseSmall = await round(small);
      const riseLarge = await round(large);
      const extraMib = uploads * (large - small);
      const perUploadedMib = Math.max(0, riseLarge - riseSmall) / extraMib;
      record({
        scenario: 'Twenty uploads at once',
        setup:
          `${uploads} clients upload at once into GridFS through the built server in its own ` +
          `process: a warm-up round, then ${small} MiB each, then ${large} MiB each; the server's ` +
          'resident memory (/proc/<pid>/status VmRSS) sampled every 10 ms from before each round.',
        figures: [
          {
            name: `peak rise, ${uploads} × ${small} MiB`,
            value: Math.round(riseSmall),
            unit: 'MB',
          },
          {
            name: `peak rise, ${uploads} × ${large} MiB`,
            value: Math.round(riseLarge),
            unit: 'MB',
          },
          // Buffering files whole would grow by at least each MiB more uploaded (1.0 or more).
          {
            name: 'memory added per MiB more uploaded at once',
            value: Number(perUploadedMib.toFixed(3)),
            mustBeBelow: 0.5,
          },
        ],
        notes: [
          'The rise that does not grow with the size (tens of MB) is 20 requests in flight at once: ' +
            'socket and stream buffers, a GridFS chunk (255 KiB) each and its BSON copy, and ' +
            'garbage the collector has not yet returned.',
        ],
      });
      expect(perUploadedMib).toBeLessThan(0.5);
    } finally {
      await server.stop();
    }
  }, 180_000);
});

/** A process's resident set size, bytes (Linux). */
function residentBytes(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}
