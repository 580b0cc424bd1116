// File upload and download rates: the raw GridFS rate (the driver straight into the database) beside
// the product through each store (GridFS, a local directory), before and after the database holds
// `fillMb` more of chunks. On FerretDB v1 every chunk query scans the chunks collection, so GridFS
// reads slow down as it fills; MongoDB reads chunks by its (files_id, n) index.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { MongoClient, GridFSBucket, ObjectId } = require('mongodb');

const MIB = 1024 * 1024;
const mbps = (bytes, ms) => +(bytes / MIB / (ms / 1000)).toFixed(1);

async function timed(work) {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function rawGridFs(db, payloads) {
  const bucket = new GridFSBucket(db, { bucketName: 'bench_raw' });
  const ids = [];
  const bytes = payloads.reduce((sum, p) => sum + p.length, 0);
  const uploadMs = await timed(async () => {
    for (const payload of payloads) {
      const id = new ObjectId();
      await pipeline(Readable.from([payload]), bucket.openUploadStreamWithId(id, 'raw'));
      ids.push(id);
    }
  });
  const downloadMs = await timed(async () => {
    for (const id of ids) {
      for await (const chunk of bucket.openDownloadStream(id)) void chunk;
    }
  });
  return { uploadMBps: mbps(bytes, uploadMs), downloadMBps: mbps(bytes, downloadMs) };
}

async function productUploads(url, token, payloads) {
  const ids = [];
  const bytes = payloads.reduce((sum, p) => sum + p.length, 0);
  const uploadMs = await timed(async () => {
    for (const payload of payloads) {
      const form = new FormData();
      form.append('file', new Blob([payload]), 'bench.bin');
      const response = await fetch(`${url}/api/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      if (response.status !== 201) throw new Error(`upload: HTTP ${response.status}`);
      ids.push((await response.json()).id);
    }
  });
  return { ids, bytes, uploadMBps: mbps(bytes, uploadMs) };
}

async function productDownloads(url, token, ids, bytes) {
  const downloadMs = await timed(async () => {
    for (const id of ids) {
      const response = await fetch(`${url}/api/files/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.status !== 200) throw new Error(`download: HTTP ${response.status}`);
      for await (const chunk of response.body) void chunk;
    }
  });
  return mbps(bytes, downloadMs);
}

/** `fillMb` of chunks of files nobody reads, written straight into the bucket's chunks. */
async function fill(db, fillMb, log) {
  const chunks = db.collection('uploads.chunks');
  const files = db.collection('uploads.files');
  const chunkBytes = 255 * 1024;
  const perFile = 40; // ~10 MB files
  let written = 0;
  while (written < fillMb * MIB) {
    const id = new ObjectId();
    const docs = [];
    for (let n = 0; n < perFile; n++) docs.push({ files_id: id, n, data: randomBytes(chunkBytes) });
    await chunks.insertMany(docs, { ordered: false });
    await files.insertOne({
      _id: id,
      length: perFile * chunkBytes,
      chunkSize: chunkBytes,
      uploadDate: new Date(),
      filename: 'fill',
    });
    written += perFile * chunkBytes;
    if (written % (100 * MIB) < perFile * chunkBytes)
      log(`files: filled ${Math.round(written / MIB)} MB`);
  }
  return Math.round(written / MIB);
}

export async function fileRates({ uri, gridFsUrl, localUrl, token, count, mib, fillMb, log }) {
  const payloads = Array.from({ length: count }, () => randomBytes(mib * MIB));
  const client = await MongoClient.connect(uri);
  try {
    const db = client.db();
    const raw = await rawGridFs(db, payloads);
    log(`files: raw GridFS up ${raw.uploadMBps} MB/s, down ${raw.downloadMBps} MB/s`);
    const gridFs = await productUploads(gridFsUrl, token, payloads);
    const local = await productUploads(localUrl, token, payloads);
    const before = {
      gridFs: {
        uploadMBps: gridFs.uploadMBps,
        downloadMBps: await productDownloads(gridFsUrl, token, gridFs.ids, gridFs.bytes),
      },
      local: {
        uploadMBps: local.uploadMBps,
        downloadMBps: await productDownloads(localUrl, token, local.ids, local.bytes),
      },
    };
    log(
      `files: product GridFS up ${before.gridFs.uploadMBps} / down ${before.gridFs.downloadMBps} MB/s; local up ${before.local.uploadMBps} / down ${before.local.downloadMBps} MB/s`,
    );
    const storedMb = await fill(db, fillMb, log);
    const after = {
      storedMb,
      gridFsDownloadMBps: await productDownloads(gridFsUrl, token, gridFs.ids, gridFs.bytes),
      localDownloadMBps: await productDownloads(localUrl, token, local.ids, local.bytes),
    };
    log(
      `files: with ${storedMb} MB more stored: GridFS down ${after.gridFsDownloadMBps} MB/s, local down ${after.localDownloadMBps} MB/s`,
    );
    return { files: `${count} × ${mib} MiB`, rawGridFs: raw, ...before, afterFill: after };
  } finally {
    await client.close();
  }
}

export function filesMarkdown(result) {
  if (!result) return '';
  return [
    '',
    `### Files (${result.files}, one at a time)`,
    '',
    '| store | upload MB/s | download MB/s | download MB/s with ' +
      result.afterFill.storedMb +
      ' MB more stored |',
    '| --- | --- | --- | --- |',
    `| raw GridFS (driver) | ${result.rawGridFs.uploadMBps} | ${result.rawGridFs.downloadMBps} | – |`,
    `| product, GridFS | ${result.gridFs.uploadMBps} | ${result.gridFs.downloadMBps} | ${result.afterFill.gridFsDownloadMBps} |`,
    `| product, local directory | ${result.local.uploadMBps} | ${result.local.downloadMBps} | ${result.afterFill.localDownloadMBps} |`,
    '',
  ].join('\n');
}
