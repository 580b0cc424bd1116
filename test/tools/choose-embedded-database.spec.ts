import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseEmbeddedDatabase } from '@nest-chat/dev-tools';

describe('chooseEmbeddedDatabase', () => {
  const empty = () => mkdtempSync(join(tmpdir(), 'choose-db-'));
  // mongodb-memory-server reads its cache location from the process environment.
  const savedDownloadDir = process.env.MONGOMS_DOWNLOAD_DIR;
  beforeAll(() => {
    process.env.MONGOMS_DOWNLOAD_DIR = empty();
  });
  afterAll(() => {
    if (savedDownloadDir === undefined) delete process.env.MONGOMS_DOWNLOAD_DIR;
    else process.env.MONGOMS_DOWNLOAD_DIR = savedDownloadDir;
  });

  it('takes MONGOD_PATH first, and refuses one that does not exist', async () => {
    const binary = join(empty(), 'mongod');
    writeFileSync(binary, '#!/bin/sh\n');
    const choice = await chooseEmbeddedDatabase({ MONGOD_PATH: binary, PATH: '' });
    expect(choice).toEqual({ kind: 'mongod', binary, reason: 'MONGOD_PATH' });
    await expect(
      chooseEmbeddedDatabase({ MONGOD_PATH: '/nonexistent/mongod', PATH: '' }),
    ).rejects.toThrow('MONGOD_PATH: no such file: /nonexistent/mongod');
  });

  it('takes a mongod on PATH', async () => {
    const dir = empty();
    const binary = join(dir, 'mongod');
    writeFileSync(binary, '#!/bin/sh\n');
    chmodSync(binary, 0o755);
    const choice = await chooseEmbeddedDatabase({ PATH: `/nonexistent:${dir}` });
    expect(choice).toEqual({ kind: 'mongod', binary, reason: 'mongod on PATH' });
  });

  it('falls back to FerretDB, saying why, when no mongod can be had or downloaded', async () => {
    // `.invalid` never resolves (RFC 6761), with or without a network.
    const choice = await chooseEmbeddedDatabase({
      PATH: empty(),
      MONGOMS_DOWNLOAD_MIRROR: 'https://downloads.invalid',
    });
    expect(choice.kind).toBe('ferretdb');
    expect(choice.reason).toContain('downloads.invalid cannot be reached');
  });
});
