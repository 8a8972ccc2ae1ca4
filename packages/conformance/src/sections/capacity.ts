import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../config.js';
import { docOfSize, expectCode, snapshot } from '../assert.js';

/** Bounded caches: eviction keeps bytesUsed under capacity, and ERR_CAPACITY changes nothing. */
export function capacitySection(ctx: SuiteContext): void {
  const capacity = Math.max(ctx.config.minCapacityBytes ?? 0, 256 * 1024);

  describe.runIf(ctx.config.capabilities.evicts)('capacity and eviction', () => {
    it('writing three times the capacity evicts, counts evictions and stays under capacityBytes', async () => {
      const cache = await ctx.open({ capacityBytes: capacity });
      const docBytes = 1024;
      const writes = Math.ceil((capacity * 3) / docBytes);
      for (let i = 0; i < writes; i++) {
        await cache.set(`k${i}`, docOfSize(docBytes, i));
        const s = cache.stats();
        expect(s.bytesUsed).toBeLessThanOrEqual(s.capacityBytes);
      }
      const s = cache.stats();
      expect(s.evictions).toBeGreaterThan(0);
      expect(s.count).toBeLessThan(writes);
      expect(s.count + s.evictions).toBe(writes);
      // The newest write is never the victim.
      expect(await cache.get(`k${writes - 1}`)).toEqual(docOfSize(docBytes, writes - 1));
    });

    it('eviction is approximately LRU: a document read often survives a scan of new ones', async () => {
      const cache = await ctx.open({ capacityBytes: capacity });
      await cache.set('hot', docOfSize(1024, -1));
      const writes = Math.ceil((capacity * 3) / 1024);
      for (let i = 0; i < writes; i++) {
        await cache.set(`cold${i}`, docOfSize(1024, i));
        if (i % 8 === 0) expect(await cache.get('hot')).toEqual(docOfSize(1024, -1));
      }
      expect(await cache.has('hot')).toBe(true);
      expect(await cache.has('cold0')).toBe(false);
    });

    it('a document that cannot fit even in an empty cache fails with ERR_CAPACITY and evicts nothing', async () => {
      const cache = await ctx.open({ capacityBytes: capacity, maxDocBytes: capacity });
      for (let i = 0; i < 8; i++) await cache.set(`keep${i}`, docOfSize(512, i));
      const before = await snapshot(cache);
      // {"pad":"..."} is 10 bytes of JSON around the padding.
      await expectCode(() => cache.set('huge', { pad: 'h'.repeat(capacity - 9) }), 'ERR_DOC_TOO_LARGE');
      // Exactly maxDocBytes of document: allowed, but with its key it cannot fit in capacityBytes.
      await expectCode(() => cache.set('huge', { pad: 'h'.repeat(capacity - 10) }), 'ERR_CAPACITY');
      expect(await snapshot(cache)).toEqual(before);
      expect(cache.stats().evictions).toBe(0);
    });
  });
}
