import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentCache, OpenCache } from '@pmem-modes/core';
import type { SuiteContext } from '../config.js';
import { expectCode, snapshot } from '../assert.js';

/** Every method that takes a key, as a call that the traits below apply to. */
function keyedCalls(cache: DocumentCache): Array<[string, (key: unknown) => unknown]> {
  const calls: Array<[string, (key: unknown) => unknown]> = [
    ['get', (k) => cache.get(k as string)],
    ['set', (k) => cache.set(k as string, { v: 1 })],
    ['delete', (k) => cache.delete(k as string)],
    ['has', (k) => cache.has(k as string)],
  ];
  if (cache.capabilities.sync) {
    calls.push(['getSync', (k) => cache.getSync(k as string)], ['setSync', (k) => cache.setSync(k as string, { v: 1 })]);
  }
  return calls;
}

class Point {
  constructor(public x = 1) {}
}

export function errorsSection(ctx: SuiteContext): void {
  describe('errors', () => {
    const badKeys: Array<[string, unknown]> = [
      ['the empty string', ''],
      ['1025 ASCII bytes', 'k'.repeat(1025)],
      ['1026 UTF-8 bytes in 342 characters', 'é'.repeat(513)],
      ['a lone surrogate', 'a\uD800b'],
      ['a number', 42],
      ['null', null],
      ['undefined', undefined],
      ['an object', { toString: () => 'k' }],
    ];

    it('every keyed method refuses a bad key with ERR_INVALID_KEY and changes nothing', async () => {
      const cache = await ctx.open();
      await cache.set('keep', { safe: true });
      for (const [, call] of keyedCalls(cache)) {
        for (const [, key] of badKeys) await expectCode(() => call(key), 'ERR_INVALID_KEY');
      }
      expect(await snapshot(cache)).toEqual({ keep: { safe: true } });
    });

    it('a key of exactly 1024 UTF-8 bytes is accepted', async () => {
      const cache = await ctx.open();
      const ascii = 'a'.repeat(1024);
      const multi = 'é'.repeat(512);
      await cache.set(ascii, 1);
      await cache.set(multi, 2);
      expect(await cache.get(ascii)).toBe(1);
      expect(await cache.get(multi)).toBe(2);
    });

    it('set(key, doc) refuses what is not JSON with ERR_INVALID_DOC and keeps the old value', async () => {
      const cache = await ctx.open();
      await cache.set('k', { old: 1 });
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic.self = cyclic;
      const bad: unknown[] = [
        undefined,
        NaN,
        Infinity,
        -Infinity,
        () => 1,
        Symbol('s'),
        10n,
        cyclic,
        new Date(0),
        new Map([[1, 2]]),
        new Point(),
        [1, undefined, 3],
        { deep: { x: NaN } },
        { f: () => 1 },
      ];
      for (const doc of bad) {
        await expectCode(() => cache.set('k', doc as never), 'ERR_INVALID_DOC');
        if (cache.capabilities.sync) await expectCode(() => cache.setSync('k', doc as never), 'ERR_INVALID_DOC');
      }
      expect(await cache.get('k')).toEqual({ old: 1 });
      expect(cache.stats().count).toBe(1);
    });

    it('set(key, doc) over maxDocBytes fails with ERR_DOC_TOO_LARGE and keeps the old value', async () => {
      const cache = await ctx.open({ maxDocBytes: 2048 });
      await cache.set('k', 'small');
      const e = await expectCode(() => cache.set('k', { pad: 'z'.repeat(3000) }), 'ERR_DOC_TOO_LARGE');
      expect(e.message).toMatch(/maxDocBytes/);
      await cache.set('fits', { pad: 'z'.repeat(1900) });
      expect(await cache.get('k')).toBe('small');
    });

    it('openCache refuses bad options with ERR_INVALID_OPTION', async () => {
      const { openCache } = (await import(ctx.config.module)) as { openCache: OpenCache };
      const dir = ctx.freshDir();
      const base = ctx.optionsFor(dir);
      await expectCode(() => openCache({ ...base, capacityBytes: -1 }), 'ERR_INVALID_OPTION');
      await expectCode(() => openCache({ ...base, capacityBytes: 'big' as never }), 'ERR_INVALID_OPTION');
      await expectCode(() => openCache({ ...base, maxDocBytes: 0 }), 'ERR_INVALID_OPTION');
      const typo = await expectCode(() => openCache({ ...base, capacitybytes: 5 } as never), 'ERR_INVALID_OPTION');
      expect(typo.message).toMatch(/capacityBytes/);
      await expectCode(() => openCache({ ...base, name: '../escape' }), 'ERR_INVALID_OPTION');
    });

    it('every method of a closed cache fails with ERR_CLOSED', async () => {
      const cache = await ctx.open();
      await cache.set('k', 1);
      await cache.close();
      for (const [, call] of keyedCalls(cache)) await expectCode(() => call('k'), 'ERR_CLOSED');
      await expectCode(() => cache.clear(), 'ERR_CLOSED');
      await expectCode(() => cache.stats(), 'ERR_CLOSED');
      await expectCode(async () => {
        for await (const _ of cache.keys()) void _;
      }, 'ERR_CLOSED');
    });
  });

  describe('errors: the directory', () => {
    it.runIf(ctx.config.usesDir !== false)('a dir that is a file, or below a file, fails with ERR_DIR_UNUSABLE', async () => {
      const { openCache } = (await import(ctx.config.module)) as { openCache: OpenCache };
      const file = join(ctx.freshDir(), 'plain-file');
      writeFileSync(file, 'not a directory');
      await expectCode(() => openCache(ctx.optionsFor(file)), 'ERR_DIR_UNUSABLE');
      await expectCode(() => openCache(ctx.optionsFor(join(file, 'below'))), 'ERR_DIR_UNUSABLE');
    });
  });
}
