/**
 * What the pool itself promises beyond the shared contract: bounded by its own size as well as by
 * capacityBytes, no leaked pool memory (rewrites, crashes), a warm restart without a scan, the same
 * pool read from successive processes mapped at other addresses, and the emulation setting.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expectCode, snapshot, spawnChild } from '@pmem-modes/conformance';
import { openCache } from '../src/index.js';
import { docOfBytes, poolPath, testContext, type AppDirectCache } from './helpers.js';

const ctx = testContext('behaviour');
const MiB = 1024 * 1024;
const ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** Runs `body` (an async function body, with openCache in scope) in a fresh node process; returns its stdout. */
function inChild(body: string, env: NodeJS.ProcessEnv = process.env): string {
  const script = `import(${JSON.stringify(ENTRY)}).then(async ({ openCache }) => { ${body} }).catch((e) => { console.log('error', e.code, e.message); process.exit(1); });`;
  // No colours: console.log of a number under FORCE_COLOR (set by task runners) adds escape codes.
  const { FORCE_COLOR: _, ...plain } = env;
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...plain, NO_COLOR: '1' }, timeout: 60_000 });
  expect(child.signal, child.stderr).toBeNull();
  return child.stdout.trim();
}

/**
 * Bytes allocated in a closed pool's heap, read from the heap itself: `pmempool info --stats` adds
 * up the used blocks of every run bitmap and chunk header (PMDK's internal objects, such as log
 * extensions, included) in the same units as stats.heap.curr_allocated. That counter is no
 * measure after a SIGKILL: PMDK updates it after a transaction's redo log has been applied, not
 * in it, so a kill in between leaves it off by that transaction's blocks for good (after deleting
 * everything: +4224, +5952, +15168 bytes, with the heap itself exactly at its empty level).
 */
function heapUsedBytes(path: string): number {
  const info = execFileSync('pmempool', ['info', '--stats', path], { encoding: 'utf8' });
  const used = [...info.matchAll(/^\s*Used bytes\s*:\s*(\d+)/gm)].map((m) => Number(m[1]));
  expect(used.length, info).toBeGreaterThan(0);
  return used.reduce((sum, bytes) => sum + bytes, 0);
}

describe('the pool bounds the cache too', () => {
  it('a pool smaller than capacityBytes fills, then evicts instead of failing', async () => {
    const cache = await ctx.open({ dir: ctx.freshDir(), poolSize: 8 * MiB, capacityBytes: 64 * MiB });
    const writes = 12_000; // about 12 MiB of 1 KiB documents through an 8 MiB pool
    for (let i = 0; i < writes; i++) cache.setSync(`k${i}`, docOfBytes(1024, i));
    const s = cache.stats();
    expect(s.evictions).toBeGreaterThan(0);
    expect(s.count + s.evictions).toBe(writes);
    expect(s.poolAllocatedBytes).toBeLessThan(s.poolBytes);
    expect(cache.getSync(`k${writes - 1}`)).toEqual(docOfBytes(1024, writes - 1));
  });

  it('a small pool holding documents of many sizes keeps serving writes (size classes do not strand it)', async () => {
    const cache = await ctx.open({ dir: ctx.freshDir(), poolSize: 8 * MiB, capacityBytes: MiB });
    for (let i = 0; i < 3000; i++) cache.setSync(`k${i % 700}`, docOfBytes(40 + ((i * 37) % 3000), i));
    const s = cache.stats();
    expect(s.count).toBeGreaterThan(300);
    expect(cache.getSync(`k${2999 % 700}`)).toEqual(docOfBytes(40 + ((2999 * 37) % 3000), 2999));
  });

  it('a document larger than the pool can ever hold fails with ERR_CAPACITY and evicts nothing', async () => {
    const cache = await ctx.open({ dir: ctx.freshDir(), poolSize: 8 * MiB, capacityBytes: 64 * MiB, maxDocBytes: 16 * MiB });
    for (let i = 0; i < 50; i++) cache.setSync(`keep${i}`, docOfBytes(1024, i));
    const before = await snapshot(cache);
    const error = await expectCode(() => cache.setSync('huge', docOfBytes(6 * MiB, 0)), 'ERR_CAPACITY');
    expect(error.message).toMatch(/poolSize/);
    expect(await snapshot(cache)).toEqual(before);
    expect(cache.stats().evictions).toBe(0);
  });

  it('clear() on a pool too full for one big transaction still empties it', async () => {
    const dir = ctx.freshDir();
    const cache = await ctx.open({ dir, poolSize: 8 * MiB, capacityBytes: 64 * MiB });
    for (let i = 0; cache.stats().evictions === 0; i++) cache.setSync(`t${i}`, i);
    const empty = (await openCache({ dir, name: 'empty', poolSize: 8 * MiB, capacityBytes: 64 * MiB }).then(async (c) => {
      const bytes = c.stats().poolAllocatedBytes;
      await c.close();
      return bytes;
    })) as number;
    await cache.clear();
    expect(cache.stats().count).toBe(0);
    expect(await snapshot(cache)).toEqual({});
    expect(cache.stats().poolAllocatedBytes).toBe(empty);
  });
});

describe('no pool memory leaks', () => {
  it('rewriting the same documents returns the pool to the same allocated bytes', async () => {
    const cache = await ctx.open({ dir: ctx.freshDir(), capacityBytes: 8 * MiB });
    const docs = Array.from({ length: 400 }, (_, i) => docOfBytes(40 + ((i * 37) % 3000), i));
    const levels: number[] = [];
    for (let round = 0; round < 4; round++) {
      docs.forEach((doc, i) => cache.setSync(`k${i}`, doc));
      levels.push(cache.stats().poolAllocatedBytes);
    }
    expect(new Set(levels).size).toBe(1);
    expect(levels[0]).toBeGreaterThan(cache.stats().bytesUsed);
  });

  it('after SIGKILLs in the middle of writes, deleting every document returns the pool to its empty level', async () => {
    const dir = ctx.freshDir();
    const options = { dir, capacityBytes: 16 * MiB };
    // Single deletes, not clear(): one transaction per document fits the lane's own log, so no
    // log extension (which PMDK keeps allocated per lane, for reuse) blurs the comparison.
    const deleteAll = async (cache: AppDirectCache) => {
      const keys: string[] = [];
      for await (const k of cache.keys()) keys.push(k);
      for (const k of keys) await cache.delete(k);
    };
    const first = await ctx.open(options);
    const counted = first.stats().poolAllocatedBytes;
    await first.close();
    // Levels are measured in the heap, not by poolAllocatedBytes (see heapUsedBytes). On a pool
    // that never crashed the two agree.
    const emptyLevel = heapUsedBytes(poolPath(dir));
    expect(emptyLevel).toBe(counted);
    const warm = await ctx.open(options);
    for (let i = 0; i < 100; i++) warm.setSync(`warm${i}`, docOfBytes(2000 + i * 300, i));
    await warm.close();
    let acks = 0;
    for (let trial = 0; trial < 6; trial++) {
      const child = spawnChild('@pmem-modes/app-direct', options, 'crash', trial);
      await child.waitFor(/^opened$/);
      await new Promise((r) => setTimeout(r, 20 + trial * 15));
      child.process.kill('SIGKILL');
      await child.exited;
      acks += child.lines.filter((l) => l.startsWith('ack')).length;
    }
    expect(acks).toBeGreaterThan(6);
    const after = await ctx.open(options);
    expect(after.stats().count).toBeGreaterThan(100);
    await deleteAll(after);
    expect(after.stats().count).toBe(0);
    await after.close();
    expect(heapUsedBytes(poolPath(dir))).toBe(emptyLevel);
  });
});

describe('warm restart and position independence', () => {
  it('a reopened pool of 100k documents serves its first get without scanning anything', async () => {
    const dir = ctx.freshDir();
    const count = 100_000;
    let cache = await openCache({ dir, capacityBytes: 64 * MiB });
    for (let i = 0; i < count; i++) cache.setSync(`doc:${i}`, { i, body: 'b'.repeat(100) });
    await cache.close();

    cache = await ctx.open({ dir, capacityBytes: 64 * MiB });
    const opened = cache.stats();
    expect(opened.count).toBe(count); // from the root, not counted
    expect(opened.linksFollowed).toBe(0); // open read no entry
    expect(cache.getSync('doc:77777')).toEqual({ i: 77777, body: 'b'.repeat(100) });
    // One lookup walks one chain: a handful of links, never the index.
    expect(cache.stats().linksFollowed).toBeLessThanOrEqual(8);
    expect(cache.getSync('doc:100000')).toBeUndefined();
  });

  it('the pool reads back in successive processes, each mapping it at its own address', () => {
    const dir = ctx.freshDir();
    const rounds = 3;
    for (let round = 0; round < rounds; round++) {
      const out = inChild(`
        const cache = await openCache({ dir: ${JSON.stringify(dir)} });
        let seen = 0;
        for (let r = 0; r < ${round}; r++) for (let i = 0; i < 200; i++) {
          const doc = cache.getSync('r' + r + ':' + i);
          if (doc && doc.r === r && doc.i === i) seen++;
        }
        for (let i = 0; i < 200; i++) cache.setSync('r${round}:' + i, { r: ${round}, i, pad: 'x'.repeat(i) });
        await cache.close();
        console.log('seen', seen);
      `);
      expect(out).toBe(`seen ${round * 200}`);
    }
  });
});

describe('options, medium and the native library', () => {
  it('poolSize below 8 MiB or not an integer is ERR_INVALID_OPTION; an existing pool keeps its size', async () => {
    const dir = ctx.freshDir();
    await expectCode(() => openCache({ dir, poolSize: 4 * MiB }), 'ERR_INVALID_OPTION');
    await expectCode(() => openCache({ dir, poolSize: 8 * MiB + 0.5 }), 'ERR_INVALID_OPTION');
    await expectCode(() => openCache({ dir, poolsize: 8 * MiB } as never), 'ERR_INVALID_OPTION');
    const first = await openCache({ dir, poolSize: 9 * MiB });
    expect(first.stats().poolBytes).toBe(9 * MiB);
    await first.close();
    const again = await ctx.open({ dir, poolSize: 20 * MiB });
    expect(again.stats().poolBytes).toBe(9 * MiB);
  });

  it('the default poolSize holds capacityBytes of 1 KiB documents before evicting', async () => {
    const capacityBytes = 64 * MiB;
    const cache = await ctx.open({ dir: ctx.freshDir(), capacityBytes });
    for (let i = 0; cache.stats().bytesUsed + 1100 < capacityBytes; i++) cache.setSync(`k${i}`, docOfBytes(1024, i));
    expect(cache.stats().evictions).toBe(0);
    expect(cache.stats().bytesUsed / cache.stats().poolBytes).toBeGreaterThan(0.7);
  });

  it('the pool file and its open marker are the only files, and the marker goes on close', async () => {
    const dir = ctx.freshDir();
    const cache = await openCache({ dir, name: 'n1' });
    expect(existsSync(`${poolPath(dir, 'n1')}.open`)).toBe(true);
    expect(cache.stats().medium.path).toBe(poolPath(dir, 'n1'));
    await cache.close();
    expect(existsSync(poolPath(dir, 'n1'))).toBe(true);
    expect(existsSync(`${poolPath(dir, 'n1')}.open`)).toBe(false);
  });

  it('on /dev/shm PMEM_IS_PMEM_FORCE=1 is set before PMDK loads, unless the user set it', () => {
    const dir = ctx.freshDir();
    const report = `const c = await openCache({ dir: ${JSON.stringify(dir)} }); const s = c.stats(); console.log(process.env.PMEM_IS_PMEM_FORCE, s.mappingIsPmem, s.medium.kind); await c.close();`;
    const env = { ...process.env };
    delete env.PMEM_IS_PMEM_FORCE;
    expect(inChild(report, env)).toBe('1 true emulated');
    expect(inChild(report, { ...env, PMEM_IS_PMEM_FORCE: '0' })).toBe('0 false emulated');
  });

  it('without the addon, import works and openCache fails with ERR_NATIVE_UNAVAILABLE naming the apt package', async () => {
    const { cpSync, mkdtempSync, rmSync } = await import('node:fs');
    const copy = mkdtempSync(fileURLToPath(new URL('../.no-addon-', import.meta.url)));
    try {
      cpSync(fileURLToPath(new URL('../dist', import.meta.url)), `${copy}/dist`, { recursive: true });
      expect(inChild(`const c = await openCache({ dir: ${JSON.stringify(ctx.freshDir())} }); console.log('opened'); await c.close();`)).toBe('opened');
      const script = `import(${JSON.stringify(`${copy}/dist/index.js`)}).then(({ openCache }) => openCache({ dir: ${JSON.stringify(ctx.freshDir())} })).then(() => console.log('opened'), (e) => console.log(e.code, e.message));`;
      const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
      expect(child.stdout).toMatch(/^ERR_NATIVE_UNAVAILABLE .*apt-get install libpmemobj-dev/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
