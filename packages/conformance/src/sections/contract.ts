import { describe, expect, it } from 'vitest';
import type { Doc, DocumentCache } from '@pmem-modes/core';
import type { SuiteContext } from '../config.js';
import { snapshot } from '../assert.js';

/** The DocumentCache contract, run through the async methods and, where offered, the sync ones. */
export function contractSection(ctx: SuiteContext): void {
  const variants: Array<[string, (c: DocumentCache) => { get(k: string): Promise<Doc | undefined>; set(k: string, d: Doc): Promise<void> }]> = [
    ['async', (c) => ({ get: (k) => c.get(k), set: (k, d) => c.set(k, d) })],
  ];
  if (ctx.config.capabilities.sync) {
    variants.push(['sync', (c) => ({ get: async (k) => c.getSync(k), set: async (k, d) => c.setSync(k, d) })]);
  }

  for (const [name, api] of variants) {
    describe(`contract (${name} get/set)`, () => {
      it('get(key) of a missing key is undefined and counts a miss', async () => {
        const cache = await ctx.open();
        expect(await api(cache).get('missing')).toBeUndefined();
        expect(cache.stats().misses).toBe(1);
        expect(cache.stats().hits).toBe(0);
      });

      it('set(key, doc) then get(key) returns an equal document and counts a hit', async () => {
        const cache = await ctx.open();
        const doc = { title: 'pmem', tags: ['a', 'b'], n: 3, nested: { ok: true, none: null } };
        await api(cache).set('doc:1', doc);
        expect(await api(cache).get('doc:1')).toEqual(doc);
        expect(cache.stats().hits).toBe(1);
        expect(cache.stats().count).toBe(1);
      });

      it('set(key, doc) overwrites, and count stays the same', async () => {
        const cache = await ctx.open();
        await api(cache).set('k', { v: 1 });
        await api(cache).set('k', { v: 2, more: 'x'.repeat(500) });
        await api(cache).set('k', { v: 3 });
        expect(await api(cache).get('k')).toEqual({ v: 3 });
        expect(cache.stats().count).toBe(1);
      });

      it('get(key) returns a fresh copy: mutating it or the stored input changes nothing', async () => {
        const cache = await ctx.open();
        const input = { list: [1, 2], inner: { a: 1 } };
        await api(cache).set('k', input);
        input.list.push(3);
        const first = (await api(cache).get('k')) as { list: number[]; inner: { a: number } };
        first.inner.a = 99;
        expect(await api(cache).get('k')).toEqual({ list: [1, 2], inner: { a: 1 } });
      });
    });
  }

  describe('contract', () => {
    it('delete(key) returns true for a present key and false for a missing one', async () => {
      const cache = await ctx.open();
      await cache.set('a', 1);
      expect(await cache.delete('a')).toBe(true);
      expect(await cache.delete('a')).toBe(false);
      expect(await cache.get('a')).toBeUndefined();
      expect(cache.stats().count).toBe(0);
    });

    it('has(key) tells presence without counting hits or misses', async () => {
      const cache = await ctx.open();
      await cache.set('a', 'x');
      expect(await cache.has('a')).toBe(true);
      expect(await cache.has('b')).toBe(false);
      expect(cache.stats().hits + cache.stats().misses).toBe(0);
    });

    it('keys() lists exactly the present keys', async () => {
      const cache = await ctx.open();
      const want = Array.from({ length: 25 }, (_, i) => `key-${i}`);
      for (const k of want) await cache.set(k, { k });
      await cache.delete('key-3');
      const got: string[] = [];
      for await (const k of cache.keys()) got.push(k);
      expect(got.sort()).toEqual(want.filter((k) => k !== 'key-3').sort());
    });

    it('clear() removes everything and the cache stays usable', async () => {
      const cache = await ctx.open();
      for (let i = 0; i < 10; i++) await cache.set(`k${i}`, i);
      await cache.clear();
      expect(cache.stats().count).toBe(0);
      expect(await snapshot(cache)).toEqual({});
      await cache.set('after', true);
      expect(await cache.get('after')).toBe(true);
    });

    it('stats() accounts bytes: up on set, down on delete, within capacity', async () => {
      const cache = await ctx.open();
      const empty = cache.stats().bytesUsed;
      await cache.set('big', { pad: 'y'.repeat(4000) });
      const full = cache.stats();
      expect(full.bytesUsed).toBeGreaterThanOrEqual(empty + 4000);
      expect(full.bytesUsed).toBeLessThanOrEqual(full.capacityBytes);
      await cache.delete('big');
      expect(cache.stats().bytesUsed).toBeLessThan(full.bytesUsed);
    });

    it('concurrent set() calls all land', async () => {
      const cache = await ctx.open();
      await Promise.all(Array.from({ length: 64 }, (_, i) => cache.set(`c${i}`, { i })));
      for (let i = 0; i < 64; i++) expect(await cache.get(`c${i}`)).toEqual({ i });
      await Promise.all([cache.set('same', 1), cache.set('same', 2), cache.set('same', 3)]);
      expect(await cache.get('same')).toBe(3);
    });

    it('close() is idempotent', async () => {
      const cache = await ctx.open();
      await cache.set('a', 1);
      await Promise.all([cache.close(), cache.close()]);
      await cache.close();
    });
  });
}
