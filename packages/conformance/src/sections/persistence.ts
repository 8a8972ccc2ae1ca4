import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import type { SuiteContext } from '../config.js';
import { snapshot } from '../assert.js';
import { HOSTILE_KEYS } from './hostile.js';

/** Close and reopen: persistent adapters keep everything, the others start empty. */
export function persistenceSection(ctx: SuiteContext): void {
  const { persistent } = ctx.config.capabilities;
  describe('close and reopen', () => {
    it(persistent ? 'a reopened cache has every document, hostile keys included' : 'a reopened cache starts empty', async () => {
      const first = await ctx.open();
      for (const [i, key] of HOSTILE_KEYS.entries()) await first.set(key, { i, body: 'b'.repeat(i * 10) });
      await first.set('overwritten', 1);
      await first.set('overwritten', 2);
      await first.set('deleted', 1);
      await first.delete('deleted');
      const before = await snapshot(first);
      await first.close();

      const second = await ctx.open();
      if (persistent) {
        expect(await snapshot(second)).toEqual(before);
        expect(second.stats().count).toBe(HOSTILE_KEYS.length + 1);
      } else {
        expect(await snapshot(second)).toEqual({});
        expect(second.stats().count).toBe(0);
      }
    });

    it.runIf(!persistent && ctx.config.usesDir !== false)('a closed cache that keeps nothing leaves nothing in dir', async () => {
      const dir = ctx.freshDir();
      const cache = await ctx.open({}, dir);
      await cache.set('k', { body: 'b'.repeat(5000) });
      await cache.close();
      expect(readdirSync(dir)).toEqual([]);
    });

    it.runIf(persistent)('a reopened cache accepts writes and deletes as before', async () => {
      const first = await ctx.open();
      await first.set('a', 1);
      await first.close();
      const second = await ctx.open();
      await second.set('b', 2);
      expect(await second.delete('a')).toBe(true);
      await second.close();
      const third = await ctx.open();
      expect(await snapshot(third)).toEqual({ b: 2 });
    });
  });
}
