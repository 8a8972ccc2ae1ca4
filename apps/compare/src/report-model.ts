/** The shape of a comparison report (report.json), shared by the runner and the renderers. */
import type { Capabilities, Medium } from '@pmem-modes/core';
import type { CompareConfig } from './config.js';
import type { CrashMeasurement } from './crash.js';
import type { Environment } from './environment.js';
import type { AccessMode, BlockMeasurement, LatencySummary } from './measure.js';
import type { RestartMeasurement } from './restart.js';
import type { WorkloadId } from './workload.js';

export interface TargetStatus {
  id: string;
  label: string;
  model: string;
  kind: 'adapter' | 'peer';
  status: 'ran' | 'skipped';
  /** Why it was skipped (not importable, not openable, or failed during a scenario). */
  reason?: string;
  capabilities?: Capabilities;
  medium?: Medium;
  /** Time to load `recordCount` documents before the workloads, in ms. */
  loadMs?: number;
}

/** One figure set aggregated over the repetitions. */
export interface Aggregate {
  opsPerSec: number;
  all: LatencySummary;
  read?: LatencySummary;
  write?: LatencySummary;
  misses: number;
}

export interface WorkloadResult {
  target: string;
  workload: WorkloadId;
  mode: AccessMode;
  reps: BlockMeasurement[];
  /** The median over the repetitions of each figure. */
  median: Aggregate;
  /** The best repetition of each figure: lowest latency, highest throughput. */
  best: Aggregate;
}

/** A target's figures over dram's, from the same run (median over repetitions on both sides). */
export interface DietRow {
  target: string;
  workload: WorkloadId;
  mode: AccessMode;
  readP50Ratio?: number;
  readP99Ratio?: number;
  writeP50Ratio?: number;
  /** dram's throughput over the target's: how many times slower. */
  slowdown: number;
}

export interface MemoryRow {
  target: string;
  docs: number;
  /** Growth while loading `docs` documents in a fresh process, in bytes. */
  rssDelta: number;
  heapUsedDelta: number;
  externalDelta: number;
  arrayBuffersDelta: number;
  rssAfter: number;
  /** stats().bytesUsed after the load: bytes on the medium as the adapter accounts them. */
  bytesUsed: number;
}

export interface RestartRow extends RestartMeasurement {
  target: string;
}

export interface CrashRow extends CrashMeasurement {
  target: string;
}

export interface Recommendation {
  need: string;
  /** The target that measured best for this need, or undefined when none qualifies. */
  target?: string;
  why: string;
}

export interface Report {
  version: 1;
  config: CompareConfig;
  environment: Environment;
  /** Wall time of the whole run, in ms. */
  wallMs: number;
  targets: TargetStatus[];
  workloads: WorkloadResult[];
  latencyDiet: DietRow[];
  memory: MemoryRow[];
  restart: RestartRow[];
  crash: CrashRow[];
  recommendations: Recommendation[];
}
