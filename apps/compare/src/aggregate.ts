/** Folding repetitions into median and best figures, and the latency-diet ratios to dram. */
import type { BlockMeasurement, LatencySummary } from './measure.js';
import type { Aggregate, DietRow, WorkloadResult } from './report-model.js';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

type Fold = (values: number[]) => number;

function foldSummary(summaries: Array<LatencySummary | undefined>, fold: Fold): LatencySummary | undefined {
  const present = summaries.filter((s): s is LatencySummary => s !== undefined);
  if (present.length === 0) return undefined;
  const field = (k: keyof LatencySummary): number => fold(present.map((s) => s[k]));
  return { count: field('count'), mean: field('mean'), p50: field('p50'), p90: field('p90'), p99: field('p99'), p999: field('p999'), max: field('max') };
}

/**
 * Each figure folded on its own over the repetitions. Folding percentiles one by one keeps each a
 * real measured value (median) or the best one seen (min), and keeps them ordered: the fold of
 * ordered columns is ordered.
 */
function foldReps(reps: BlockMeasurement[], latency: Fold, throughput: Fold): Aggregate {
  return {
    opsPerSec: throughput(reps.map((r) => r.opsPerSec)),
    all: foldSummary(reps.map((r) => r.all), latency)!,
    read: foldSummary(reps.map((r) => r.read), latency),
    write: foldSummary(reps.map((r) => r.write), latency),
    misses: latency(reps.map((r) => r.misses)),
  };
}

export function medianOf(reps: BlockMeasurement[]): Aggregate {
  return foldReps(reps, median, median);
}

export function bestOf(reps: BlockMeasurement[]): Aggregate {
  return foldReps(reps, (v) => Math.min(...v), (v) => Math.max(...v));
}

/** Every target's median figures over dram's median figures for the same workload and mode. */
export function latencyDiet(results: WorkloadResult[], reference = 'dram'): DietRow[] {
  const rows: DietRow[] = [];
  for (const r of results) {
    const base = results.find((b) => b.target === reference && b.workload === r.workload && b.mode === r.mode);
    if (!base) continue;
    const ratio = (a?: number, b?: number): number | undefined => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
    rows.push({
      target: r.target,
      workload: r.workload,
      mode: r.mode,
      readP50Ratio: ratio(r.median.read?.p50, base.median.read?.p50),
      readP99Ratio: ratio(r.median.read?.p99, base.median.read?.p99),
      writeP50Ratio: ratio(r.median.write?.p50, base.median.write?.p50),
      slowdown: base.median.opsPerSec / r.median.opsPerSec,
    });
  }
  return rows;
}
