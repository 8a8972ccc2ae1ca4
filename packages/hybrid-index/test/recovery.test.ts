import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { resolveDir, type DocumentCache } from '@pmem-modes/core';
import { expectCode, snapshot } from '@pmem-modes/conformance';
import { openCache, MAX_CAPACITY_BYTES } from '@pmem-modes/hybrid-index';
import { loadAddon } from '../src/native.js';

const root = join(resolveDir(), 'hybrid-index-tests', `${process.pid}-${randomBytes(4).toString('hex')}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function freshDir(): string {
  const dir = join(root, randomBytes(6).toString('hex'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

const dataFile = (dir: string) => join(dir, 'hybrid-index-default.log');
const HEADER = 32;

/** Offset in the data file of the record whose JSON text contains `marker` (a unique string). */
function recordOffset(dir: string, key: string, marker: string): number {
  const file = readFileSync(dataFile(dir));
  const at = file.indexOf(Buffer.from(marker));
  expect(at, `record ${marker} in the file`).toBeGreaterThan(0);
  const payload = file.lastIndexOf(Buffer.from(key), at);
  return payload - HEADER;
}

function patchFile(dir: string, offset: number, bytes: Buffer | number[]): void {
  const file = readFileSync(dataFile(dir));
  Buffer.from(bytes).copy(file, offset);
  writeFileSync(dataFile(dir), file);
}

async function withCache<T>(dir: string, fn: (cache: DocumentCache) => Promise<T>, capacityBytes = 1024 * 1024): Promise<T> {
  const cache = await openCache({ dir, capacityBytes });
  try {
    return await fn(cache);
  } finally {
    await cache.close();
  }
}

describe('hybrid-index: recovery from a crash', () => {
  it('a torn last record (payload checksum fails) is cut off and everything before it is served', async () => {
    const dir = freshDir();
    await withCache(dir, async (c) => {
      for (let i = 0; i < 20; i++) await c.set(`k${i}`, { i });
      await c.set('last', { body: 'torn-marker' });
    });
    // As if the process died halfway through copying the JSON: header whole, payload not.
    patchFile(dir, recordOffset(dir, 'last', 'torn-marker') + HEADER + 4 + 8, Buffer.from('XXXX'));
    const sizeBefore = statSync(dataFile(dir)).size;
    await withCache(dir, async (c) => {
      expect(await c.get('last')).toBeUndefined();
      expect(c.stats().count).toBe(20);
      for (let i = 0; i < 20; i++) expect(await c.get(`k${i}`)).toEqual({ i });
      await c.set('after', 'written where the torn record was');
    });
    await withCache(dir, async (c) => {
      expect(await c.get('after')).toBe('written where the torn record was');
      expect(await c.get('last')).toBeUndefined();
      expect(c.stats().count).toBe(21);
    });
    expect(statSync(dataFile(dir)).size).toBe(sizeBefore);
  });

  it('a torn record header ends the log there: later garbage is never read as a record', async () => {
    const dir = freshDir();
    await withCache(dir, async (c) => {
      await c.set('kept', 1);
      await c.set('half', { body: 'half-header-marker' });
      await c.set('beyond', 3);
    });
    // Header of "half" torn: its checksum fails, so the chain ends before it ("beyond" is lost
    // with it, as a crash could only tear the last write).
    patchFile(dir, recordOffset(dir, 'half', 'half-header-marker') + 8, [0xff, 0xff, 0xff]);
    await withCache(dir, async (c) => {
      expect(await snapshot(c)).toEqual({ kept: 1 });
      await c.set('new', 4);
    });
    await withCache(dir, async (c) => expect(await snapshot(c)).toEqual({ kept: 1, new: 4 }));
  });

  it('two live records of one key (crash between writing the new one and marking the old) resolve to the newer', async () => {
    const dir = freshDir();
    await withCache(dir, async (c) => {
      await c.set('k', { v: 'old-version-marker' });
      await c.set('k', { v: 'new-version-marker' });
    });
    const old = recordOffset(dir, 'k', 'old-version-marker');
    patchFile(dir, old + 2, [0x4c]); // state byte back to live
    await withCache(dir, async (c) => {
      expect(await c.get('k')).toEqual({ v: 'new-version-marker' });
      expect(c.stats().count).toBe(1);
    });
    expect(readFileSync(dataFile(dir))[old + 2]).toBe(0x58); // recovery marked the loser dead
    await withCache(dir, async (c) => expect(await snapshot(c)).toEqual({ k: { v: 'new-version-marker' } }));
  });
});

describe('hybrid-index: files that are not ours or are damaged', () => {
  async function expectRefused(dir: string, code: 'ERR_POOL_FOREIGN' | 'ERR_POOL_CORRUPT'): Promise<void> {
    const before = readFileSync(dataFile(dir));
    const err = await expectCode(() => openCache({ dir }), code);
    expect(err.message).toContain(dataFile(dir));
    expect(readFileSync(dataFile(dir)).equals(before), 'the file is left untouched').toBe(true);
    // The lock was released: once the file is moved away, the name opens again.
    rmSync(dataFile(dir));
    await withCache(dir, async (c) => expect(c.stats().count).toBe(0));
  }

  it('another program\'s file fails with ERR_POOL_FOREIGN', async () => {
    const dir = freshDir();
    writeFileSync(dataFile(dir), randomBytes(8192));
    await expectRefused(dir, 'ERR_POOL_FOREIGN');
  });

  it('an empty file fails with ERR_POOL_FOREIGN', async () => {
    const dir = freshDir();
    writeFileSync(dataFile(dir), '');
    await expectRefused(dir, 'ERR_POOL_FOREIGN');
  });

  it('a file of another format version fails with ERR_POOL_FOREIGN', async () => {
    const dir = freshDir();
    await withCache(dir, async (c) => c.set('k', 1));
    patchFile(dir, 8, [2, 0, 0, 0]);
    await expectRefused(dir, 'ERR_POOL_FOREIGN');
  });

  it('a damaged header fails with ERR_POOL_CORRUPT', async () => {
    const dir = freshDir();
    await withCache(dir, async (c) => c.set('k', 1));
    patchFile(dir, 17, [0x7f]); // ring size field: checksum no longer matches
    await expectRefused(dir, 'ERR_POOL_CORRUPT');
  });

  it('a truncated file fails with ERR_POOL_CORRUPT', async () => {
    const dir = freshDir();
    await withCache(dir, async (c) => c.set('k', 1));
    writeFileSync(dataFile(dir), readFileSync(dataFile(dir)).subarray(0, 100_000));
    await expectRefused(dir, 'ERR_POOL_CORRUPT');
  });

  it('a file whose two checkpoint slots are both damaged fails with ERR_POOL_CORRUPT', async () => {
    const dir = freshDir();
    await withCache(dir, async (c) => c.set('k', 1));
    patchFile(dir, 64 + 8, [0xaa]);
    patchFile(dir, 128 + 8, [0xaa]);
    await expectRefused(dir, 'ERR_POOL_CORRUPT');
  });
});

describe('hybrid-index: space is reclaimed', () => {
  it('rewriting the same documents many times keeps the file size and bytesUsed constant', async () => {
    const dir = freshDir();
    const capacityBytes = 256 * 1024;
    const cache = await openCache({ dir, capacityBytes });
    const size = statSync(dataFile(dir)).size;
    // Same size every round (fixed-width round number), so bytesUsed must not move.
    const doc = (round: number, i: number) => ({ round: String(round).padStart(3, '0'), i, pad: 'p'.repeat(900 + (i % 7) * 50) });
    let bytesUsed: number | undefined;
    // 200 rounds of 100 KiB each: the ring (about 3 MiB) wraps several times.
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 100; i++) cache.setSync(`doc${i}`, doc(round, i));
      if (round > 0) expect(cache.stats().bytesUsed).toBe(bytesUsed);
      bytesUsed = cache.stats().bytesUsed;
    }
    expect(cache.stats()).toMatchObject({ count: 100, evictions: 0 });
    for (let i = 0; i < 100; i++) expect(cache.getSync(`doc${i}`)).toEqual(doc(199, i));
    await cache.close();
    expect(statSync(dataFile(dir)).size).toBe(size);
    await withCache(dir, async (c) => {
      expect(c.stats()).toMatchObject({ count: 100, bytesUsed });
      for (let i = 0; i < 100; i++) expect(c.getSync(`doc${i}`)).toEqual(doc(199, i));
    }, capacityBytes);
  });

  it('documents that stay while others churn survive being moved by the cleaner, across reopen', async () => {
    const dir = freshDir();
    const capacityBytes = 256 * 1024;
    const cache = await openCache({ dir, capacityBytes });
    for (let i = 0; i < 20; i++) await cache.set(`stay${i}`, { i, pad: 's'.repeat(500) });
    for (let n = 0; n < 5000; n++) await cache.set(`churn${n % 40}`, { n, pad: 'c'.repeat(1500) });
    for (let i = 0; i < 20; i++) expect(await cache.get(`stay${i}`)).toEqual({ i, pad: 's'.repeat(500) });
    expect(cache.stats().evictions).toBe(0);
    const before = await snapshot(cache);
    await cache.close();
    await withCache(dir, async (c) => expect(await snapshot(c)).toEqual(before), capacityBytes);
  });

  it('clear() empties the cache for good, and the space is reused', async () => {
    const dir = freshDir();
    await withCache(dir, async (c) => {
      for (let i = 0; i < 50; i++) await c.set(`k${i}`, i);
      await c.clear();
      await c.set('after', true);
    });
    await withCache(dir, async (c) => expect(await snapshot(c)).toEqual({ after: true }));
  });
});

describe('hybrid-index: restart rebuilds the DRAM index', () => {
  it('every document is served after reopen, and write order stands in for recency', async () => {
    const dir = freshDir();
    const capacityBytes = 2 * 1024 * 1024;
    await withCache(dir, async (c) => {
      for (let i = 0; i < 5000; i++) await c.set(`k${i}`, i);
    }, capacityBytes);
    await withCache(dir, async (c) => {
      expect(c.stats().count).toBe(5000);
      for (let i = 0; i < 5000; i += 97) expect(c.getSync(`k${i}`)).toBe(i);
      // Fill up: the oldest writes go first (k0 was read above, so it is recent now).
      let n = 0;
      while (c.stats().evictions === 0) await c.set(`new${n++}`, 'x'.repeat(200));
      expect(await c.has('k1')).toBe(false);
      expect(await c.has('k0')).toBe(true);
      expect(await c.has('k4999')).toBe(true);
    }, capacityBytes);
  });

  it('reopening with a smaller capacityBytes evicts the oldest documents to fit', async () => {
    const dir = freshDir();
    await withCache(dir, async (c) => {
      for (let i = 0; i < 100; i++) await c.set(`k${i}`, { i, pad: 'q'.repeat(1000) });
    });
    await withCache(dir, async (c) => {
      const s = c.stats();
      expect(s.bytesUsed).toBeLessThanOrEqual(50 * 1024);
      expect(s.count + s.evictions).toBe(100);
      expect(await c.has('k0')).toBe(false);
      expect(await c.get('k99')).toEqual({ i: 99, pad: 'q'.repeat(1000) });
    }, 50 * 1024);
  });

  it('reopening with more capacity than the file was made for fails with ERR_INVALID_OPTION and changes nothing', async () => {
    const dir = freshDir();
    await withCache(dir, async (c) => c.set('k', 1), 256 * 1024);
    const before = readFileSync(dataFile(dir));
    const err = await expectCode(() => openCache({ dir, capacityBytes: 64 * 1024 * 1024 }), 'ERR_INVALID_OPTION');
    expect(err.message).toMatch(/capacityBytes/);
    expect(readFileSync(dataFile(dir)).equals(before)).toBe(true);
    await withCache(dir, async (c) => expect(await c.get('k')).toBe(1), 256 * 1024);
  });
});

describe('hybrid-index: options and the native library', () => {
  it('capacityBytes above the file-size limit fails with ERR_INVALID_OPTION', async () => {
    await expectCode(() => openCache({ dir: freshDir(), capacityBytes: MAX_CAPACITY_BYTES + 1 }), 'ERR_INVALID_OPTION');
  });

  it('a missing addon gives ERR_NATIVE_UNAVAILABLE naming the package to install', async () => {
    const err = await expectCode(() => loadAddon(join(freshDir(), 'missing.node')), 'ERR_NATIVE_UNAVAILABLE');
    expect(err.message).toContain('apt-get install libpmem-dev');
  });

  it('on emulated pmem, PMEM_IS_PMEM_FORCE=1 is set before libpmem loads, so flushes take the pmem path', () => {
    const script = `
      import { openCache } from '@pmem-modes/hybrid-index';
      const c = await openCache({ dir: ${JSON.stringify(freshDir())} });
      console.log(JSON.stringify({ force: process.env.PMEM_IS_PMEM_FORCE, medium: c.stats().medium }));
      await c.close();`;
    const env = { ...process.env };
    delete env.PMEM_IS_PMEM_FORCE;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, cwd: import.meta.dirname, encoding: 'utf8' }));
    expect(out.medium.kind).toBe('emulated');
    expect(out.force).toBe('1');
    expect(out.medium.description).toContain('is_pmem');
  });
});
