import { describe, expect, it } from 'vitest';
import type { Doc } from '@pmem-modes/core';
import type { SuiteContext } from '../config.js';
import { snapshot } from '../assert.js';
import { CRASH_MIN_CAPACITY_BYTES, crashOp, isWhole } from '../crash-workload.js';
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
        const child = spawnChild(ctx.config.module, options, 'crash', seed);
        await child.waitFor(/^opened$/);
        await new Promise((r) => setTimeout(r, 5 + ((seed * 37) % 150)));
        child.process.kill('SIGKILL');
        await child.exited;

        const acked = child.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4)));
        const last = acked.length ? Math.max(...acked) : -1;
        totalAcks += acked.length;
        const expected = new Map(baseline);
        for (let i = 0; i <= last; i++) {
          const op = crashOp(seed, i);
          if (op.doc === undefined) expected.delete(op.key);
          else expected.set(op.key, op.doc);
        }
        const inflight = crashOp(seed, last + 1);

        const cache = await ctx.open({ capacityBytes }, dir);
        const actual = await snapshot(cache);
        const where = `trial ${t} (CRASH_SEED=${baseSeed}), ${acked.length} acks`;
        for (const [key, doc] of Object.entries(actual)) expect(isWhole(doc), `${where}: torn document at ${key}`).toBe(true);
        for (const key of new Set([...expected.keys(), ...Object.keys(actual)])) {
          const allowed = [expected.get(key)];
          if (key === inflight.key) allowed.push(inflight.doc);
          expect(allowed, `${where}: ${key}`).toContainEqual(actual[key]);
        }
        await cache.close();
        baseline = new Map(Object.entries(actual) as Array<[string, Doc]>);
      }
      // The test must have exercised something: most trials acknowledged writes before the kill.
      expect(totalAcks).toBeGreaterThan(trials);
    });
  });
}
