/** What one comparison run does: the workload, its sizes, and which scenarios run. */
import type { TargetSpec } from './targets.js';
import type { DocProfile, KeyDistribution, WorkloadId } from './workload.js';
import { WORKLOADS } from './workload.js';

export interface CompareConfig {
  /** Seed of every stream: same seed, same keys and documents. */
  seed: number;
  /** Documents loaded into every target before the workloads. */
  recordCount: number;
  /** Timed operations per workload, target and repetition. */
  opsPerRep: number;
  /** Untimed operations before each timed block. */
  warmupOps: number;
  /**
   * Longest a timed block may run, in ms: a slow target runs the prefix of the stream that fits
   * (the report gives each block's count), so one slow adapter cannot stretch the run.
   */
  blockTimeLimitMs: number;
  /** Repetitions; each reports its own percentiles, the report gives min and median over them. */
  repetitions: number;
  workloads: WorkloadId[];
  distribution: KeyDistribution;
  docProfile: DocProfile;
  /** JSON bytes per document for the `fixed` profile. */
  docBytes: number;
  /** Also time getSync/setSync on targets whose capabilities.sync is true. */
  syncColumn: boolean;
  /** Documents loaded before the restart scenario. */
  restartDocs: number;
  /** Reads after the restart over which the hit ratio is counted. */
  restartProbeOps: number;
  /** Modeled cost of a miss served by the origin (a database, a service), in microseconds. */
  missPenaltyUs: number;
  /** SIGKILL trials per crash-consistent target. */
  crashTrials: number;
  /** Only these target ids (default: every known one). */
  targets?: string[];
  /** More targets to compare, e.g. your own adapter package; opened and reported like the known ones. */
  extraTargets?: TargetSpec[];
  /** Base directory (default: PMEM_DIR, else /dev/shm/pmem-modes); the run works in a fresh subdirectory. */
  dir?: string;
  /** The command line recorded in the environment block. */
  command?: string;
}

export const DEFAULT_CONFIG: Readonly<CompareConfig> = Object.freeze({
  seed: 42,
  recordCount: 10_000,
  opsPerRep: 10_000,
  warmupOps: 1_000,
  blockTimeLimitMs: 600,
  repetitions: 3,
  workloads: [...WORKLOADS],
  distribution: 'zipfian',
  docProfile: 'fixed',
  docBytes: 1024,
  syncColumn: true,
  restartDocs: 5_000,
  restartProbeOps: 5_000,
  missPenaltyUs: 500,
  crashTrials: 6,
});

/** `--quick`: the same scenarios, smaller: under a minute on two cores. */
export const QUICK_CONFIG: Readonly<CompareConfig> = Object.freeze({
  ...DEFAULT_CONFIG,
  recordCount: 1_000,
  opsPerRep: 2_000,
  warmupOps: 200,
  blockTimeLimitMs: 200,
  repetitions: 2,
  restartDocs: 1_000,
  restartProbeOps: 2_000,
  crashTrials: 2,
});
