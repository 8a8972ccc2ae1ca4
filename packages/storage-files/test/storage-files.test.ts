/** storage-files only: the directory layout, recovery at open, foreign and damaged files. */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDir } from '@pmem-modes/core';
import { expectCode, HOSTILE_KEYS, snapshot } from '@pmem-modes/conformance';
import { openCache, type StorageFilesCache } from '@pmem-modes/storage-files';

const root = join(resolveDir(), 'storage-files-test');
mkdirSync(root, { recursive: true });
const made: string[] = [];
const opened: StorageFilesCache[] = [];

function freshDir(): string {
  const dir = mkdtempSync(join(root, 'case-'));
  made.push(dir);
  return dir;
}

async function open(dir: string, capacityBytes?: number): Promise<StorageFilesCache> {
  const cache = await openCache({ dir, capacityBytes });
  opened.push(cache);
  return cache;
}

const fileOf = (dir: string, key: string) => join(dir, 'storage-files-default', `${createHash('sha256').update(key).digest('hex')}.doc`);

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
  vi.restoreAllMocks();
});
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('storage-files: layout', () => {
  it('keeps FORMAT, LOCK and one <sha-256 hex>.doc file per key in <dir>/storage-files-<name>, whatever the key', async () => {
    const dir = freshDir();
    const cache = await open(dir);
    for (const key of HOSTILE_KEYS) await cache.set(key, 1);
    expect(readdirSync(dir)).toEqual(['storage-files-default']);
    const names = readdirSync(join(dir, 'storage-files-default')).sort();
    expect(names.filter((n) => !/^[0-9a-f]{64}\.doc$/.test(n))).toEqual(['FORMAT', 'LOCK']);
    expect(names.length).toBe(HOSTILE_KEYS.length + 2);
    expect(readFileSync(join(dir, 'storage-files-default', 'FORMAT'), 'utf8')).toBe('pmem-modes storage-files 1\n');
  });
});

describe('storage-files: recovery at open', () => {
  it('removes temp files left by a crash; the interrupted write is not visible, the old document is', async () => {
    const dir = freshDir();
    const first = await open(dir);
    await first.set('kept', { v: 'old' });
    await first.close();
    // What a crash between write and rename leaves: a temp file next to the target, and one for a new key.
    writeFileSync(`${fileOf(dir, 'kept')}.tmp`, 'half a record');
    writeFileSync(`${fileOf(dir, 'never-acknowledged')}.tmp`, '');
    const second = await open(dir);
    expect(second.recovery).toEqual({ removedTempFiles: 2, quarantined: [] });
    expect(await snapshot(second)).toEqual({ kept: { v: 'old' } });
    expect(readdirSync(join(dir, 'storage-files-default')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('moves a damaged file to corrupt/, warns, and opens with the other documents', async () => {
    const dir = freshDir();
    const first = await open(dir);
    for (const key of ['a', 'flipped', 'truncated', 'renamed', 'z']) await first.set(key, { key, pad: 'p'.repeat(100) });
    await first.close();
    const flipped = readFileSync(fileOf(dir, 'flipped'));
    flipped[flipped.length - 5] ^= 0x01;
    writeFileSync(fileOf(dir, 'flipped'), flipped);
    writeFileSync(fileOf(dir, 'truncated'), readFileSync(fileOf(dir, 'truncated')).subarray(0, 30));
    // A whole record under the wrong name (e.g. restored by hand): its key does not hash to it.
    writeFileSync(fileOf(dir, 'renamed'), readFileSync(fileOf(dir, 'a')));

    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const second = await open(dir);
    expect(await snapshot(second)).toEqual({ a: { key: 'a', pad: 'p'.repeat(100) }, z: { key: 'z', pad: 'p'.repeat(100) } });
    expect(second.stats().count).toBe(2);
    const damage = Object.fromEntries(second.recovery.quarantined.map((q) => [q.file, q.damage]));
    const base = (key: string) => fileOf(dir, key).split('/').pop()!;
    expect(damage[base('flipped')]).toMatch(/CRC-32/);
    expect(damage[base('truncated')]).toMatch(/header announces/);
    expect(damage[base('renamed')]).toMatch(/not the hash/);
    expect(readdirSync(join(dir, 'storage-files-default', 'corrupt')).sort()).toEqual(Object.keys(damage).sort());
    expect(warn).toHaveBeenCalledTimes(3);
  });

  it('a file damaged while open fails get(key) with ERR_POOL_CORRUPT; delete(key) removes it, others are fine', async () => {
    const dir = freshDir();
    const cache = await open(dir);
    await cache.set('bad', { v: 1 });
    await cache.set('good', { v: 2 });
    writeFileSync(fileOf(dir, 'bad'), 'garbage');
    const e = await expectCode(() => cache.get('bad'), 'ERR_POOL_CORRUPT');
    expect(e.message).toMatch(/delete\(key\)/);
    expect(await cache.get('good')).toEqual({ v: 2 });
    expect(await cache.delete('bad')).toBe(true);
    expect(existsSync(fileOf(dir, 'bad'))).toBe(false);
    expect(await snapshot(cache)).toEqual({ good: { v: 2 } });
  });

  it('recency across a reopen follows mtime: the file written longest ago is evicted first', async () => {
    const dir = freshDir();
    const capacity = 256 * 1024;
    const doc = { pad: 'd'.repeat(60 * 1024) };
    const first = await open(dir, capacity);
    for (const key of ['a', 'b', 'c', 'd']) await first.set(key, doc);
    await first.close();
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    utimesSync(fileOf(dir, 'a'), at(4), at(4));
    utimesSync(fileOf(dir, 'b'), at(1), at(1));
    utimesSync(fileOf(dir, 'c'), at(3), at(3));
    utimesSync(fileOf(dir, 'd'), at(2), at(2));
    const second = await open(dir, capacity);
    await second.set('e', doc);
    expect((await snapshot(second)).b).toBeUndefined();
    expect(second.stats()).toMatchObject({ count: 4, evictions: 1 });
  });

  it('reopening with a smaller capacityBytes evicts the oldest documents at open, durably', async () => {
    const dir = freshDir();
    const first = await open(dir);
    for (let i = 0; i < 8; i++) {
      await first.set(`k${i}`, { pad: 'q'.repeat(1000) });
      utimesSync(fileOf(dir, `k${i}`), 1000 + i, 1000 + i);
    }
    await first.close();
    const second = await open(dir, 3 * 1024);
    expect(second.stats()).toMatchObject({ count: 3, evictions: 5 });
    expect(second.stats().bytesUsed).toBeLessThanOrEqual(3 * 1024);
    expect(Object.keys(await snapshot(second))).toEqual(['k5', 'k6', 'k7']);
    await second.close();
    const third = await open(dir);
    expect(third.stats().count).toBe(3);
  });
});

describe('storage-files: directories that are not ours', () => {
  it('a directory with other files and no FORMAT fails with ERR_POOL_FOREIGN and is left untouched', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'storage-files-default'));
    writeFileSync(join(dir, 'storage-files-default', 'notes.txt'), 'mine');
    const e = await expectCode(() => openCache({ dir }), 'ERR_POOL_FOREIGN');
    expect(e.message).toMatch(/notes\.txt/);
    expect(readdirSync(join(dir, 'storage-files-default'))).toEqual(['notes.txt']);
  });

  it('another FORMAT version fails with ERR_POOL_FOREIGN naming both versions', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'storage-files-default'));
    writeFileSync(join(dir, 'storage-files-default', 'FORMAT'), 'pmem-modes storage-files 2\n');
    const e = await expectCode(() => openCache({ dir }), 'ERR_POOL_FOREIGN');
    expect(e.message).toMatch(/storage-files 2.*storage-files 1/);
  });

  it('a plain file where the data directory goes fails with ERR_POOL_FOREIGN', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'storage-files-default'), 'a file');
    await expectCode(() => openCache({ dir }), 'ERR_POOL_FOREIGN');
    expect(readFileSync(join(dir, 'storage-files-default'), 'utf8')).toBe('a file');
  });

  it('a directory left by a first open that crashed before FORMAT (lock and temp files only) is taken over', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'storage-files-default'));
    writeFileSync(join(dir, 'storage-files-default', 'LOCK'), '999999999 gone 0\n');
    writeFileSync(`${fileOf(dir, 'k')}.tmp`, 'half a record');
    const cache = await open(dir);
    await cache.set('k', 1);
    expect(cache.recovery.removedTempFiles).toBe(1);
    expect(readFileSync(join(dir, 'storage-files-default', 'FORMAT'), 'utf8')).toBe('pmem-modes storage-files 1\n');
  });
});
