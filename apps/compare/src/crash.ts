/**
 * Crash trials for crash-consistent targets: the conformance suite's child writes the deterministic
 * crash workload until SIGKILL at a seeded random moment; the reopened cache is judged by the
 * suite's own `judgeRecovery`. Trials share one directory, so each recovers from the previous one.
 */
import type { Doc, OpenCache } from '@pmem-modes/core';
import { judgeRecovery, snapshot, spawnChild } from '@pmem-modes/conformance/crash';
import { median } from './aggregate.js';
import { openTimed } from './targets.js';
import { deriveSeed, seededRandom } from './workload.js';

export interface CrashMeasurement {
  trials: number;
  /** Writes the children acknowledged before being killed, over all trials. */
  acknowledged: number;
  /** Keys holding neither the acknowledged state nor the write in flight, over all trials. */
  lost: number;
  /** Documents that failed their checksum, over all trials. */
  torn: number;
  /** openCache() after the kill (recovery included), median and max over the trials, in ms. */
  recoveryMsMedian: number;
  recoveryMsMax: number;
}

export async function crashTrials(module: string, open: OpenCache, options: Record<string, unknown>, trials: number, seed: number): Promise<CrashMeasurement> {
  const random = seededRandom(deriveSeed(seed, `crash:${module}`));
  let baseline = new Map<string, Doc>();
  let acknowledged = 0;
  let lost = 0;
  let torn = 0;
  const recoveries: number[] = [];
  for (let t = 0; t < trials; t++) {
    const trialSeed = deriveSeed(seed, `crash:${t}`);
    const child = spawnChild(module, options, 'crash', trialSeed);
    await child.waitFor(/^opened$/);
    await new Promise((r) => setTimeout(r, 20 + random() * 130));
    child.process.kill('SIGKILL');
    await child.exited;
    const acked = child.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4)));
    acknowledged += acked.length;
    const { cache, openMs } = await openTimed(open, options);
    recoveries.push(openMs);
    try {
      const actual = await snapshot(cache);
      const verdict = judgeRecovery(baseline, trialSeed, acked.length ? Math.max(...acked) : -1, actual);
      lost += verdict.lost.length;
      torn += verdict.torn.length;
      baseline = new Map(Object.entries(actual).filter((e): e is [string, Doc] => e[1] !== undefined));
    } finally {
      await cache.close();
    }
  }
  return { trials, acknowledged, lost, torn, recoveryMsMedian: recoveries.length ? median(recoveries) : 0, recoveryMsMax: Math.max(0, ...recoveries) };
}
