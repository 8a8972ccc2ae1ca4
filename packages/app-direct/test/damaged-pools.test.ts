/**
 * Files that are not our pool, or are our pool damaged: each gets its code, and the file is left
 * byte for byte as it was. Offsets into PMDK's pool format (the layout name at 4096, the lane
 * descriptor at 5120) come from PMDK 1.12's on-media format.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { expectCode } from '@pmem-modes/conformance';
import { openCache } from '../src/index.js';
import { fileHash, poolPath, testContext } from './helpers.js';

const ctx = testContext('damaged');

/** A closed pool holding a few documents. */
async function makePool(dir: string): Promise<string> {
  const cache = await openCache({ dir, capacityBytes: 1 << 20 });
  for (let i = 0; i < 20; i++) cache.setSync(`doc${i}`, { i, marker: `marker-${i}-end` });
  await cache.close();
  return poolPath(dir);
}

function patch(path: string, offset: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

function readU64(path: string, offset: number): number {
  const buf = Buffer.alloc(8);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, 8, offset);
  } finally {
    closeSync(fd);
  }
  return Number(buf.readBigUInt64LE());
}

/** Where `text` first occurs in the pool file (it must be there). */
function offsetOf(path: string, text: string): number {
  const at = readFileSync(path).indexOf(text);
  expect(at, `${text} in ${path}`).toBeGreaterThan(0);
  return at;
}

/** Opening must fail with `code` and leave the file exactly as it was. */
async function expectRefused(dir: string, code: 'ERR_POOL_FOREIGN' | 'ERR_POOL_CORRUPT', pattern?: RegExp): Promise<void> {
  const before = fileHash(poolPath(dir));
  const error = await expectCode(() => openCache({ dir }), code);
  if (pattern) expect(error.message).toMatch(pattern);
  expect(fileHash(poolPath(dir))).toBe(before);
}

describe('files that are not an app-direct pool', () => {
  it('a text file, an empty file, zeros and random bytes are ERR_POOL_FOREIGN', async () => {
    const contents = [Buffer.from('hello, not a pool\n'), Buffer.alloc(0), Buffer.alloc(16 << 20), randomBytes(9 << 20)];
    for (const bytes of contents) {
      const dir = ctx.freshDir();
      writeFileSync(poolPath(dir), bytes);
      await expectRefused(dir, 'ERR_POOL_FOREIGN', /not a libpmemobj pool/);
    }
  });

  it('a libpmemobj pool of another layout is ERR_POOL_FOREIGN', async () => {
    const dir = ctx.freshDir();
    execFileSync('pmempool', ['create', 'obj', '--layout', 'someone-else', '--size', '8M', poolPath(dir)]);
    await expectRefused(dir, 'ERR_POOL_FOREIGN', /another program.*someone-else/);
  });

  it('an app-direct pool of another format version is ERR_POOL_FOREIGN', async () => {
    const dir = ctx.freshDir();
    execFileSync('pmempool', ['create', 'obj', '--layout', 'pmem-modes/app-direct/v2', '--size', '8M', poolPath(dir)]);
    await expectRefused(dir, 'ERR_POOL_FOREIGN', /format v2/);
  });
});

describe('damaged app-direct pools', () => {
  it('a pool cut short (truncated) is ERR_POOL_CORRUPT', async () => {
    for (const size of [6000, 1 << 20]) {
      const dir = ctx.freshDir();
      truncateSync(await makePool(dir), size);
      await expectRefused(dir, 'ERR_POOL_CORRUPT', /cut short/);
    }
  });

  it('a pool whose header checksum does not match is ERR_POOL_CORRUPT', async () => {
    const dir = ctx.freshDir();
    patch(await makePool(dir), 64, Buffer.from('garbage!'));
    await expectRefused(dir, 'ERR_POOL_CORRUPT');
  });

  it('garbage lanes after an unclean shutdown: the check in a child process fails, this process survives', async () => {
    const dir = ctx.freshDir();
    const path = await makePool(dir);
    const lanesOffset = readU64(path, 5120);
    const laneCount = readU64(path, 5128);
    expect(lanesOffset).toBeGreaterThan(4096);
    patch(path, lanesOffset, randomBytes(laneCount * 3072));
    writeFileSync(`${path}.open`, '1\n'); // as if the last user had been killed
    await expectRefused(dir, 'ERR_POOL_CORRUPT', /not closed cleanly/);
  });

  it('a damaged root object is ERR_POOL_CORRUPT', async () => {
    const dir = ctx.freshDir();
    const path = await makePool(dir);
    const magic = offsetOf(path, 'pmem-modes cache');
    patch(path, magic, Buffer.from('not-our-cache!!!'));
    await expectCode(() => openCache({ dir }), 'ERR_POOL_CORRUPT');
    patch(path, magic, Buffer.from('pmem-modes cache'));
    patch(path, magic + 24, Buffer.from([0xff, 0xff, 0xff, 0x7f])); // the bucket link: breaks the seal
    const error = await expectCode(() => openCache({ dir }), 'ERR_POOL_CORRUPT');
    expect(error.message).toMatch(/seal/);
  });

  it('a torn or garbage document is ERR_POOL_CORRUPT on read; the other documents are still served', async () => {
    const dir = ctx.freshDir();
    const path = await makePool(dir);
    patch(path, offsetOf(path, 'marker-7-end'), Buffer.from('MARKER'));
    const cache = await ctx.open({ dir });
    await expectCode(() => cache.getSync('doc7'), 'ERR_POOL_CORRUPT');
    for (let i = 0; i < 20; i++) if (i !== 7) expect(cache.getSync(`doc${i}`)).toEqual({ i, marker: `marker-${i}-end` });
  });

  it('an entry whose lengths or links point outside its allocation is ERR_POOL_CORRUPT, never a crash', async () => {
    const dir = ctx.freshDir();
    const path = await makePool(dir);
    const file = readFileSync(path);
    const header = offsetOf(path, 'doc3{') - 32; // Entry: next, key_hash, key_len, doc_len, ...
    patch(path, header + 20, Buffer.from([0xff, 0xff, 0xff, 0x0f])); // doc_len far past the allocation
    let cache = await ctx.open({ dir });
    await expectCode(() => cache.getSync('doc3'), 'ERR_POOL_CORRUPT');
    await expectCode(async () => {
      for await (const _ of cache.keys()) void _;
    }, 'ERR_POOL_CORRUPT');
    await cache.close();

    patch(path, header + 20, file.subarray(header + 20, header + 24)); // restore doc_len
    patch(path, header, Buffer.from('\x08\x10\x00\x00\x00\x00\x00\x00', 'latin1')); // next: into the lanes
    cache = await ctx.open({ dir });
    await expectCode(async () => {
      for await (const _ of cache.keys()) void _;
    }, 'ERR_POOL_CORRUPT');
  });

  it('the same garbage lanes crash PMDK when opened in-process: why the check runs in a child', async () => {
    const dir = ctx.freshDir();
    const path = await makePool(dir);
    patch(path, readU64(path, 5120), randomBytes(readU64(path, 5128) * 3072));
    const addon = new URL('../build/Release/app_direct.node', import.meta.url).pathname;
    const bareOpen = `process.env.PMEM_IS_PMEM_FORCE = '1'; const a = require(${JSON.stringify(addon)}); new a.CacheHandle(${JSON.stringify(path)}, 1 << 30, 1 << 20); console.log('opened');`;
    const child = spawnSync(process.execPath, ['-e', bareOpen], { encoding: 'utf8' });
    expect(child.stdout).not.toContain('opened');
    expect(child.signal).toMatch(/SIGSEGV|SIGBUS|SIGABRT/);
  });
});
