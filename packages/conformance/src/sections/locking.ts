import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../config.js';
import { expectCode } from '../assert.js';
import { spawnChild } from '../spawn.js';

/** One owner at a time: a second opener, here or in another process, gets ERR_POOL_LOCKED. */
export function lockingSection(ctx: SuiteContext): void {
  describe.runIf(ctx.config.capabilities.exclusive)('one process owns the data', () => {
    it('a second open in this process fails with ERR_POOL_LOCKED and the first keeps working', async () => {
      const dir = ctx.freshDir();
      const first = await ctx.open({}, dir);
      await first.set('k', 1);
      await expectCode(() => ctx.open({}, dir), 'ERR_POOL_LOCKED');
      expect(await first.get('k')).toBe(1);
    });

    it('another process gets ERR_POOL_LOCKED while this one holds it, and opens once it is closed', async () => {
      const dir = ctx.freshDir();
      const first = await ctx.open({}, dir);
      await first.set('k', 1);
      const blocked = spawnChild(ctx.config.module, ctx.optionsFor(dir), 'lock');
      expect(await blocked.waitFor(/^(opened|error)/)).toBe('error ERR_POOL_LOCKED');
      await blocked.exited;
      expect(await first.get('k')).toBe(1);
      await first.close();
      const after = spawnChild(ctx.config.module, ctx.optionsFor(dir), 'lock');
      expect(await after.waitFor(/^(opened|error)/)).toBe('opened');
      await after.exited;
    });

    it('the lock of a killed process does not block the next open', async () => {
      const dir = ctx.freshDir();
      const holder = spawnChild(ctx.config.module, ctx.optionsFor(dir), 'hold');
      await holder.waitFor(/^opened$/);
      holder.process.kill('SIGKILL');
      await holder.exited;
      const cache = await ctx.open({}, dir);
      await cache.set('k', 2);
      expect(await cache.get('k')).toBe(2);
    });
  });
}
