/**
 * The report's recommendation: each need a reader may have, mapped to the target that measured
 * best for it in this run. Only measured figures and declared capabilities are used.
 */
import type { Recommendation, Report } from './report-model.js';
import { formatUs } from './format.js';

type Inputs = Pick<Report, 'targets' | 'workloads' | 'memory' | 'restart' | 'crash'>;

/** The median read p50 of a target over the read-heavy workloads (B and C, async), for ranking. */
function readP50(r: Inputs, target: string): number | undefined {
  const rows = r.workloads.filter((w) => w.target === target && w.mode === 'async' && (w.workload === 'B' || w.workload === 'C') && w.median.read);
  if (rows.length === 0) return undefined;
  return Math.min(...rows.map((w) => w.median.read!.p50));
}

function fastest(r: Inputs, candidates: string[]): { target: string; p50: number } | undefined {
  let best: { target: string; p50: number } | undefined;
  for (const target of candidates) {
    const p50 = readP50(r, target);
    if (p50 !== undefined && (!best || p50 < best.p50)) best = { target, p50 };
  }
  return best;
}

export function recommend(r: Inputs): Recommendation[] {
  const ran = r.targets.filter((t) => t.status === 'ran');
  const out: Recommendation[] = [];

  const speed = fastest(r, ran.map((t) => t.id));
  out.push({
    need: 'Lowest read latency, nothing must survive a restart',
    target: speed?.target,
    why: speed ? `read p50 ${formatUs(speed.p50)} on the read-heavy workloads, the lowest measured` : 'no target completed the workloads',
  });

  const clean = new Set(r.crash.filter((c) => c.lost === 0 && c.torn === 0 && c.trials > 0).map((c) => c.target));
  const durable = fastest(r, ran.filter((t) => t.capabilities?.persistent && t.capabilities.crashConsistent && clean.has(t.id)).map((t) => t.id));
  out.push({
    need: 'Persistence: acknowledged writes survive close and SIGKILL',
    target: durable?.target,
    why: durable ? `no acknowledged write lost and nothing torn in its crash trials; read p50 ${formatUs(durable.p50)}, the lowest of those` : 'no crash-consistent target passed its crash trials in this run',
  });

  // Capacity beyond DRAM: the documents live on the pmem medium and the V8 heap grows by less than
  // half of what dram's grows by for the same documents (the harness itself costs some heap too).
  const dramHeap = r.memory.find((row) => row.target === 'dram')?.heapUsedDelta;
  const offHeap = ran.filter((t) => {
    const m = r.memory.find((row) => row.target === t.id);
    return (t.medium?.kind === 'dax' || t.medium?.kind === 'emulated') && m !== undefined && m.heapUsedDelta < 0.5 * (dramHeap ?? m.bytesUsed);
  });
  const capacity = fastest(r, offHeap.map((t) => t.id));
  out.push({
    need: 'Capacity beyond DRAM: the data set does not fit in the heap',
    target: capacity?.target,
    why: capacity
      ? `keeps documents on the pmem medium (its V8 heap grew by less than half of dram's for the same documents); read p50 ${formatUs(capacity.p50)}, the lowest of those`
      : 'no target kept its documents on a pmem medium outside the heap',
  });

  // A tiered target is as warm as its local tier: its other hits are reads from the shared tier,
  // which survived the restart because it is another process, not because this cache is warm.
  const warmth = (x: Inputs['restart'][number]): number => x.localHitRatio ?? x.hitRatio;
  const afterKill = r.restart.filter((x) => x.variant === 'sigkill');
  const warmest = [...afterKill].sort((a, b) => warmth(b) - warmth(a) || a.firstServedMs - b.firstServedMs)[0];
  out.push({
    need: 'Restart time: serve warm right after a crash or deploy',
    target: warmest?.target,
    why: warmest
      ? `after SIGKILL: ${warmest.localHitRatio === undefined ? 'hit ratio' : 'local-tier hit ratio'} ${warmth(warmest).toFixed(2)} over the first ${warmest.probeOps} reads, first get served ${warmest.firstServedMs.toFixed(1)} ms after open began`
      : 'no restart scenario completed',
  });

  const shared = fastest(r, ran.filter((t) => t.capabilities?.shared).map((t) => t.id));
  out.push({
    need: 'Sharing across processes and machines',
    target: shared?.target,
    why: shared ? `shares data through a remote tier; read p50 ${formatUs(shared.p50)}, the lowest of the shared targets` : 'no shared target ran (is redis-server installed?)',
  });
  return out;
}
