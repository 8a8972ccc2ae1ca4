import { describe, expect, it } from 'vitest';
import { detectMedium } from '@pmem-modes/core';
import type { SuiteContext } from '../config.js';
import { expectCode } from '../assert.js';

/** The capability manifest itself, and the branches it turns off. */
export function manifestSection(ctx: SuiteContext): void {
  describe('capabilities and medium', () => {
    it('declares every capability flag as a boolean, as configured', async () => {
      const cache = await ctx.open();
      expect(cache.capabilities).toEqual(ctx.config.capabilities);
      for (const v of Object.values(cache.capabilities)) expect(typeof v).toBe('boolean');
      if (cache.capabilities.crashConsistent) expect(cache.capabilities.persistent).toBe(true);
    });

    it('stats().medium says where the data lives, detected from the mount table', async () => {
      const cache = await ctx.open();
      const { medium } = cache.stats();
      expect(['dram', 'dax', 'emulated', 'disk', 'remote']).toContain(medium.kind);
      expect(medium.description.length).toBeGreaterThan(5);
      if (medium.path !== undefined) expect(medium.kind).toBe(detectMedium(medium.path).kind);
    });

    it.runIf(!ctx.config.capabilities.sync)('getSync/setSync answer ERR_NOT_SUPPORTED when capabilities.sync is false', async () => {
      const cache = await ctx.open();
      await expectCode(() => cache.getSync('k'), 'ERR_NOT_SUPPORTED');
      await expectCode(() => cache.setSync('k', 1), 'ERR_NOT_SUPPORTED');
      expect(await cache.has('k')).toBe(false);
    });
  });
}
