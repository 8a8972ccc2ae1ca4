import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { resolveDir, type OpenCache } from '@pmem-modes/core';
import { docOfSize, expectCode, spawnChild } from '@pmem-modes/conformance';
import { heapBytesFor, openCache, type VolatileStats } from '@pmem-modes/volatile';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const root = join(resolveDir(), 'volatile-test', `${process.pid}-${randomBytes(4).toString('hex')}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function freshDir(): string {
  const dir = join(root, randomBytes(6).toString('hex'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('volatile: documents live outside the V8 heap', () => {
  it('a child limited to a 64 MB V8 heap caches 512 MiB of documents and reads them back correctly', { timeout: 120_000 }, () => {
    const fixture = join(packageDir, 'test', 'fixtures', 'fill-beyond-v8.mjs');
    const run = spawnSync(process.execPath, ['--max-old-space-size=64', '--expose-gc', fixture, freshDir(), '512'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      count: number;
      docBytes: number;
      heapBefore: number;
      heapAfter: number;
      wrong: number;
      stored: number;
      evictions: number;
      heapStats: VolatileStats['heap'];
    };
    expect(result.docBytes).toBeGreaterThan(512 * 1024 * 1024);
    expect(result.stored).toBe(result.count);
    expect(result.evictions).toBe(0);
    expect(result.wrong).toBe(0);
    // memkind holds the documents: its allocations cover them all.
    expect(result.heapStats.allocatedBytes).toBeGreaterThan(result.docBytes);
    // Generous bound; measured growth is well under 1 MB (see docs/volatile.md).
    expect(result.heapAfter - result.heapBefore).toBeLessThan(32 * 1024 * 1024);
  });
});

describe('volatile: capacity', () => {
  for (const [label, docBytes] of [
    ['1 KiB', 1024],
    ['64 KiB', 64 * 1024],
    ['66,000-byte (a poor jemalloc size class)', 66_000],
  ] as const) {
    it(`with ${label} documents at least 70% of capacityBytes holds documents before the first eviction`, async () => {
      const capacityBytes = 64 * 1024 * 1024;
      const cache = await openCache({ dir: freshDir(), capacityBytes, maxDocBytes: 128 * 1024 });
      // Nothing is read, so the first eviction takes k0.
      let stored = 0;
      for (let i = 0; ; i++) {
        const doc = docOfSize(docBytes, i);
        cache.setSync(`k${i}`, doc);
        if (!(await cache.has('k0'))) break;
        stored += JSON.stringify(doc).length;
      }
      expect(cache.stats().evictions).toBe(1);
      expect(stored / capacityBytes).toBeGreaterThanOrEqual(0.7);
      await cache.close();
    });
  }

  it("memkind's out-of-memory is an expected event: tiny documents fill the heap first, and it evicts instead of failing", async () => {
    const capacityBytes = 16 * 1024 * 1024;
    const cache = await openCache({ dir: freshDir(), capacityBytes });
    const writes = 600_000;
    for (let i = 0; i < writes; i++) cache.setSync(`k${i}`, i);
    const s = cache.stats() as VolatileStats;
    // Evicting while far below capacityBytes: the heap (entry headers, size classes) was the bound.
    expect(s.evictions).toBeGreaterThan(0);
    expect(s.bytesUsed).toBeLessThan(capacityBytes / 2);
    expect(s.count + s.evictions).toBe(writes);
    expect(s.heap.activeBytes).toBeLessThanOrEqual(s.heap.maxBytes);
    for (let i = writes - 1000; i < writes; i++) expect(cache.getSync(`k${i}`)).toBe(i);
    expect(cache.getSync('k0')).toBeUndefined();
    await cache.close();
  });

  it('stats() reports memkind figures for the heap and the medium of dir', async () => {
    const dir = freshDir();
    const cache = await openCache({ dir, capacityBytes: 8 * 1024 * 1024 });
    const empty = cache.stats() as VolatileStats;
    for (let i = 0; i < 100; i++) cache.setSync(`k${i}`, docOfSize(10_000, i));
    const full = cache.stats() as VolatileStats;
    expect(full.heap.maxBytes).toBe(heapBytesFor(8 * 1024 * 1024));
    expect(full.heap.allocatedBytes - empty.heap.allocatedBytes).toBeGreaterThanOrEqual(100 * 10_000);
    expect(full.heap.activeBytes).toBeGreaterThanOrEqual(full.heap.allocatedBytes);
    expect(full.medium.path).toBe(realpathSync(dir));
    expect(['emulated', 'dax', 'disk']).toContain(full.medium.kind);
    await cache.close();
  });
});

describe('volatile: no litter in dir', () => {
  it('while open the heap directory is empty (memkind unlinked its file), and close removes it', async () => {
    const dir = freshDir();
    const cache = await openCache({ dir, name: 'tidy' });
    cache.setSync('k', { v: 1 });
    expect(readdirSync(dir)).toEqual(['volatile-tidy']);
    expect(readdirSync(join(dir, 'volatile-tidy'))).toEqual([]);
    await cache.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('after SIGKILL the next open cleans up, starts empty, and its close leaves dir empty', async () => {
    const dir = freshDir();
    const holder = spawnChild('@pmem-modes/volatile', { dir }, 'hold');
    await holder.waitFor(/^opened$/);
    holder.process.kill('SIGKILL');
    await holder.exited;
    // What a crash inside memkind_create_pmem could leave: its temporary file.
    writeFileSync(join(dir, 'volatile-default', 'memkind.Xa1b2c'), 'stale');
    const cache = await openCache({ dir });
    expect(readdirSync(join(dir, 'volatile-default'))).toEqual([]);
    expect(cache.stats().count).toBe(0);
    await cache.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('two caches of the same name are independent heaps; closing one leaves the other working', async () => {
    const dir = freshDir();
    const a = await openCache({ dir });
    const b = await openCache({ dir });
    a.setSync('k', 'a');
    b.setSync('k', 'b');
    await a.close();
    expect(b.getSync('k')).toBe('b');
    b.setSync('after', true);
    expect(b.getSync('after')).toBe(true);
    await b.close();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('volatile: errors', () => {
  it('a heap directory blocked by a file fails with ERR_DIR_UNUSABLE and leaves the file alone', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'volatile-default'), 'not ours');
    const e = await expectCode(() => openCache({ dir }), 'ERR_DIR_UNUSABLE');
    expect(e.message).toMatch(/volatile-default/);
    expect(statSync(join(dir, 'volatile-default')).isFile()).toBe(true);
  });

  it('without the addon, import works and openCache rejects with ERR_NATIVE_UNAVAILABLE naming the apt package', async () => {
    // A copy of the built package without its build/ directory: what a machine without memkind has.
    const copy = join(packageDir, `.no-addon-${process.pid}`);
    try {
      for (const part of ['dist', 'src']) cpSync(join(packageDir, part), join(copy, part), { recursive: true });
      const { openCache: open } = (await import(join(copy, 'dist', 'index.js'))) as { openCache: OpenCache };
      const e = await expectCode(() => open({ dir: freshDir() }), 'ERR_NATIVE_UNAVAILABLE');
      expect(e.message).toMatch(/apt-get install libmemkind-dev/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('the install step only warns when memkind is missing, and leaves a built addon alone', () => {
    const addon = join(packageDir, 'build', 'Release', 'volatile_heap.node');
    const before = statSync(addon).mtimeMs;
    const run = spawnSync(process.execPath, [join(packageDir, 'scripts', 'build-native.mjs')], {
      encoding: 'utf8',
      env: { ...process.env, PKG_CONFIG_LIBDIR: join(root, 'no-pkgconfig'), PKG_CONFIG_PATH: '' },
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/apt-get install libmemkind-dev/);
    expect(existsSync(addon) && statSync(addon).mtimeMs).toBe(before);
  });
});
