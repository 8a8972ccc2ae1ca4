import { describe, expect, it } from 'vitest';
import type { Doc } from '@pmem-modes/core';
import type { SuiteContext } from '../config.js';
import { snapshot } from '../assert.js';
import { CRASH_MIN_CAPACITY_BYTES, crashOp, isWhole, judgeRecovery } from '../crash-workload.js';
import { spawnChild } from '../spawn.js';

/**
 * SIGKILL at a random moment while a child writes. Every acknowledged write must be there, the one
 * in flight may or may not be, and no document may be torn. All trials share one directory, so
 * each also tests recovery from the state the previous crash left.
 */
export function crashSection(ctx: SuiteContext): void {
  const trials = Math.max(20, ctx.config.crashTrials ?? 20);
  const capacityBytes = ctx.config.crashCapacityBytes ?? 64 * 1024 * 1024;
  if (capacityBytes < CRASH_MIN_CAPACITY_BYTES) {
    throw new Error(`crashCapacityBytes must be at least ${CRASH_MIN_CAPACITY_BYTES}: below it the crash workload evicts and acknowledged writes may go.`);
  }
  describe.runIf(ctx.config.capabilities.crashConsistent)('crash consistency (SIGKILL)', () => {
    it(`${trials} SIGKILL trials at capacityBytes ${capacityBytes}: acknowledged writes survive, nothing is torn`, { timeout: 600_000 }, async () => {
      const baseSeed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 1e9));
      const dir = ctx.freshDir();
      const options = ctx.optionsFor(dir, { capacityBytes });
      let baseline = new Map<string, Doc>();
      let totalAcks = 0;

      for (let t = 0; t < trials; t++) {
        const seed = baseSeed + t;
        const acked = await killMidway(ctx, options, seed, 5 + ((seed * 37) % 150));
        const last = acked.length ? Math.max(...acked) : -1;
        totalAcks += acked.length;
        const cache = await ctx.open({ capacityBytes }, dir);
        const actual = await snapshot(cache);
        const where = `trial ${t} (CRASH_SEED=${baseSeed}), ${acked.length} acks`;
        const verdict = judgeRecovery(baseline, seed, last, actual);
        expect(verdict.torn, `${where}: torn documents`).toEqual([]);
        expect(verdict.lost, `${where}: keys holding neither the acknowledged state nor the write in flight`).toEqual([]);
        await cache.close();
        baseline = new Map(Object.entries(actual) as Array<[string, Doc]>);
      }
      // The test must have exercised something: most trials acknowledged writes before the kill.
      expect(totalAcks).toBeGreaterThan(trials);
    });

    // Same workload in a cache a few documents big, so that most writes evict: a kill between a
    // write and its evictions must not leave the reopened cache over capacity or torn.
    const evictingTrials = 10;
    it.runIf(ctx.config.capabilities.evicts)(
      `${evictingTrials} SIGKILL trials while evicting: within capacity on reopen, nothing torn, the last acknowledged write kept`,
      { timeout: 600_000 },
      async () => {
        const baseSeed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 1e9));
        const capacityBytes = Math.max(ctx.config.minCapacityBytes ?? 0, 256 * 1024);
        const dir = ctx.freshDir();
        const options = ctx.optionsFor(dir, { capacityBytes });
        let totalAcks = 0;
        let writtenBytes = 0;

        for (let t = 0; t < evictingTrials; t++) {
          const seed = baseSeed + t;
          const acked = await killMidway(ctx, options, seed, 20 + ((seed * 37) % 150));
          totalAcks += acked.length;
          for (const i of acked) writtenBytes += JSON.stringify(crashOp(seed, i).doc ?? '').length;

          const cache = await ctx.open({ capacityBytes }, dir);
          const where = `evicting trial ${t} (CRASH_SEED=${baseSeed}), ${acked.length} acks`;
          const stats = cache.stats();
          expect(stats.bytesUsed, where).toBeLessThanOrEqual(capacityBytes);
          const actual = await snapshot(cache);
          for (const [key, doc] of Object.entries(actual)) expect(isWhole(doc), `${where}: torn document at ${key}`).toBe(true);
          if (acked.length > 0) {
            // Consecutive operations touch different keys, so the one in flight cannot undo this one.
            const last = crashOp(seed, Math.max(...acked));
            expect(actual[last.key], `${where}: last acknowledged operation on ${last.key}`).toEqual(last.doc);
          }
          await cache.close();
        }
        expect(totalAcks).toBeGreaterThan(evictingTrials);
        // The acknowledged writes add up to more than twice the capacity: they must have evicted.
        expect(writtenBytes).toBeGreaterThan(2 * capacityBytes);
      },
    );
  });
}

/** Runs the crash workload of `seed` in a child, SIGKILLs it `delayMs` after it opened, returns the acknowledged operations. */
async function killMidway(ctx: SuiteContext, options: Record<string, unknown>, seed: number, delayMs: number): Promise<number[]> {
  const child = spawnChild(ctx.config.module, options, 'crash', seed);
  await child.waitFor(/^opened$/);
  await new Promise((r) => setTimeout(r, delayMs));
  child.process.kill('SIGKILL');
  await child.exited;
  return child.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4)));
}
