/**
 * runComparison: the whole comparison as a library call. Every target is opened the same way and
 * driven through DocumentCache only; targets are interleaved (each repetition runs every workload
 * on every target, in an order rotated per repetition) so drift over time (thermal, other tenants)
 * spreads over all of them instead of penalising whichever ran last.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { emulatePmemFlushes, prepareDir, resolveDir, type DocumentCache, type OpenCache } from '@pmem-modes/core';
import { bestOf, latencyDiet, medianOf } from './aggregate.js';
import { DEFAULT_CONFIG, type CompareConfig } from './config.js';
import { crashTrials } from './crash.js';
import { describeEnvironment } from './environment.js';
import { measureBlock, runUntimed, type AccessMode, type BlockMeasurement } from './measure.js';
import { recommend } from './recommend.js';
import { startPrivateRedis, type PrivateRedis } from './redis-server.js';
import type { CrashRow, MemoryRow, Report, RestartRow, TargetStatus, WorkloadResult } from './report-model.js';
import { restartAfterClose, restartAfterKill } from './restart.js';
import { KNOWN_TARGETS, describeError, importTarget, importTierStats, openOptions, openTimed, type TargetSpec, type TierStatsReader } from './targets.js';
import { averageDocBytes, loadStream, workloadStream, type StreamSettings, type WorkloadId } from './workload.js';

export interface Progress {
  done: number;
  total: number;
  /** What just finished, e.g. `rep 1/3 A app-direct`. */
  step: string;
}

export interface RunHooks {
  onProgress?: (p: Progress) => void;
  /** A line worth showing as it happens (a target skipped, a phase started). */
  onNote?: (line: string) => void;
}

/** Largest document the run writes (the mixed profile's tail stays under it). */
const MAX_DOC_BYTES = 1024 * 1024;
/** Floor of every cache's capacity: the smallest pools some adapters accept are 8-16 MiB. */
const MIN_CAPACITY_BYTES = 64 * 1024 * 1024;

interface LiveTarget {
  spec: TargetSpec;
  status: TargetStatus;
  open: OpenCache;
  cache?: DocumentCache;
  /** The tier counters of a tiered target (its module exports tierStats), for the restart scenario. */
  tiers?: TierStatsReader;
}

function streamSettings(c: CompareConfig, recordCount = c.recordCount): StreamSettings {
  return { seed: c.seed, recordCount, distribution: c.distribution, docProfile: c.docProfile, docBytes: c.docBytes };
}

/** Room for every record and every insert of workload D, twice over, so nothing is evicted. */
function capacityFor(c: CompareConfig): number {
  const writes = c.recordCount + (c.opsPerRep + c.warmupOps) * c.repetitions;
  return Math.max(MIN_CAPACITY_BYTES, Math.ceil(2 * writes * (averageDocBytes(streamSettings(c)) + 32)));
}

export async function runComparison(overrides: Partial<CompareConfig> = {}, hooks: RunHooks = {}): Promise<Report> {
  const config: CompareConfig = { ...DEFAULT_CONFIG, ...overrides };
  config.command ??= 'runComparison()';
  const started = performance.now();
  const runDir = prepareDir(join(resolveDir(config.dir), `compare-${process.pid}-${Date.now()}`));
  const environment = describeEnvironment(runDir, config.command);
  // PMDK reads this when the library loads: set it before any adapter is imported (emulated pmem only).
  if (emulatePmemFlushes(environment.medium)) environment.pmemIsPmemForce = '1 (set by the app: the medium is emulated)';
  const note = hooks.onNote ?? (() => undefined);
  const specs = [...KNOWN_TARGETS, ...(config.extraTargets ?? [])].filter((s) => !config.targets || config.targets.includes(s.id));
  const capacityBytes = capacityFor(config);
  const base = (name: string) => ({ dir: runDir, name, capacityBytes, maxDocBytes: MAX_DOC_BYTES });

  let redis: PrivateRedis | undefined;
  let redisProblem: string | undefined;
  if (specs.some((s) => s.needsRedis)) {
    try {
      redis = await startPrivateRedis();
    } catch (err) {
      redisProblem = describeError(err);
    }
  }

  const live: LiveTarget[] = [];
  const statuses: TargetStatus[] = [];
  const crashCapable: LiveTarget[] = [];
  const total = { done: 0, total: 0 };
  const progress = (step: string): void => {
    total.done++;
    hooks.onProgress?.({ done: total.done, total: total.total, step });
  };
  const skip = (t: { status: TargetStatus }, reason: string): void => {
    t.status.status = 'skipped';
    t.status.reason = reason;
    note(`${t.status.id}: skipped: ${reason}`);
  };

  try {
    // 1. Import, open and load every target (untimed); a failure skips that target only.
    const load = loadStream(streamSettings(config));
    for (const spec of specs) {
      const status: TargetStatus = { id: spec.id, label: spec.label, model: spec.model, kind: spec.kind, status: 'ran' };
      statuses.push(status);
      if (spec.needsRedis && !redis) {
        skip({ status }, `needs a Redis server: ${redisProblem ?? 'not started'}`);
        continue;
      }
      try {
        const open = await importTarget(spec);
        const tiers = await importTierStats(spec);
        const { cache } = await openTimed(open, openOptions(spec, base('bench'), redis?.url));
        const target: LiveTarget = { spec, status, open, cache, tiers };
        status.capabilities = cache.capabilities;
        status.medium = cache.stats().medium;
        const t0 = performance.now();
        await runUntimed(cache, load, 'async');
        status.loadMs = performance.now() - t0;
        live.push(target);
        if (cache.capabilities.crashConsistent) crashCapable.push(target);
      } catch (err) {
        skip({ status }, describeError(err));
      }
    }

    const modesOf = (t: LiveTarget): AccessMode[] => (config.syncColumn && t.cache?.capabilities.sync ? ['async', 'sync'] : ['async']);
    const blocks = live.reduce((n, t) => n + modesOf(t).length, 0);
    total.total = config.repetitions * config.workloads.length * blocks + live.length * 2 + crashCapable.length;

    // 2. The workloads: repetitions outermost, then workloads, then targets in a rotated order.
    const measured = new Map<string, BlockMeasurement[]>();
    const inserted = new Map<WorkloadId, number>();
    for (let rep = 0; rep < config.repetitions; rep++) {
      for (const workload of config.workloads) {
        let count = inserted.get(workload) ?? config.recordCount;
        const warm = workloadStream(streamSettings(config), workload, `warm:${rep}`, config.warmupOps, count);
        const timed = workloadStream(streamSettings(config), workload, `rep:${rep}`, config.opsPerRep, warm.inserted);
        count = timed.inserted;
        inserted.set(workload, count);
        const order = live.filter((t) => t.status.status === 'ran');
        const rotated = order.map((_, i) => order[(i + rep) % order.length]!);
        for (const t of rotated) {
          for (const mode of modesOf(t)) {
            try {
              await runUntimed(t.cache!, warm.stream, mode, config.blockTimeLimitMs / 4);
              push(measured, `${t.spec.id}|${workload}|${mode}`, await measureBlock(t.cache!, timed.stream, mode, config.blockTimeLimitMs));
            } catch (err) {
              skip(t, `failed during workload ${workload} (${mode}): ${describeError(err)}`);
            }
            progress(`rep ${rep + 1}/${config.repetitions} ${workload} ${t.spec.id} ${mode}`);
            if (t.status.status !== 'ran') break;
          }
        }
      }
    }
    const workloads: WorkloadResult[] = [];
    for (const t of live) {
      if (t.status.status !== 'ran') continue;
      for (const workload of config.workloads) {
        for (const mode of modesOf(t)) {
          const reps = measured.get(`${t.spec.id}|${workload}|${mode}`) ?? [];
          if (reps.length) workloads.push({ target: t.spec.id, workload, mode, reps, median: medianOf(reps), best: bestOf(reps) });
        }
      }
    }
    for (const t of live) await t.cache?.close().catch(() => undefined);

    // 3. Restart after close and after SIGKILL; the killed child also reports its memory.
    const restart: RestartRow[] = [];
    const memory: MemoryRow[] = [];
    const restartSettings = { stream: streamSettings(config, config.restartDocs), probeOps: config.restartProbeOps, missPenaltyUs: config.missPenaltyUs };
    for (const t of live.filter((x) => x.status.status === 'ran')) {
      try {
        restart.push({ target: t.spec.id, ...(await restartAfterClose(t.open, openOptions(t.spec, base('restart-close'), redis?.url), restartSettings, t.tiers)) });
        progress(`restart after close ${t.spec.id}`);
        const killed = await restartAfterKill(t.spec.module, t.open, openOptions(t.spec, base('restart-kill'), redis?.url), restartSettings, t.tiers);
        restart.push({ target: t.spec.id, ...killed.restart });
        const { before, after, bytesUsed } = killed.memory;
        memory.push({
          target: t.spec.id,
          docs: config.restartDocs,
          rssDelta: after.rss - before.rss,
          heapUsedDelta: after.heapUsed - before.heapUsed,
          externalDelta: after.external - before.external,
          arrayBuffersDelta: after.arrayBuffers - before.arrayBuffers,
          rssAfter: after.rss,
          bytesUsed,
        });
        progress(`restart after SIGKILL ${t.spec.id}`);
      } catch (err) {
        note(`${t.spec.id}: restart scenario failed: ${describeError(err)}`);
      }
    }

    // 4. Crash trials on the crash-consistent targets.
    const crash: CrashRow[] = [];
    for (const t of crashCapable.filter((x) => x.status.status === 'ran')) {
      try {
        crash.push({ target: t.spec.id, ...(await crashTrials(t.spec.module, t.open, openOptions(t.spec, base('crash'), redis?.url), config.crashTrials, config.seed)) });
      } catch (err) {
        note(`${t.spec.id}: crash trials failed: ${describeError(err)}`);
      }
      progress(`crash trials ${t.spec.id}`);
    }

    const partial = { targets: statuses, workloads, memory, restart, crash };
    return {
      version: 1,
      config,
      environment,
      wallMs: performance.now() - started,
      ...partial,
      latencyDiet: latencyDiet(workloads),
      recommendations: recommend(partial),
    };
  } finally {
    for (const t of live) await t.cache?.close().catch(() => undefined);
    await redis?.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
