/**
 * The restart scenario: load documents, stop the process (a clean close, or SIGKILL of a child
 * that loaded them), reopen, and measure the time to the first served get and the hit ratio of the
 * first reads after the restart. A miss is served by a simulated origin whose cost is modeled, not
 * slept: it is added to the measured time, and the document is put back in the cache.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { OpenCache } from '@pmem-modes/core';
import type { ChildMemory } from './child.js';
import { keyNames, runUntimed } from './measure.js';
import { openTimed, type TierStatsReader } from './targets.js';
import { loadStream, workloadStream, type OpStream, type StreamSettings } from './workload.js';

export type RestartVariant = 'close' | 'sigkill';

export interface RestartMeasurement {
  variant: RestartVariant;
  docs: number;
  /** openCache() alone. */
  openMs: number;
  /** From the start of openCache() to the first get answered (from the cache, or from the origin on a miss). */
  firstServedMs: number;
  /** Hits over the probe reads (a get served from any tier counts). */
  hitRatio: number;
  /**
   * Tiered targets only: the probe reads served by the local tier, over the probe reads (a warm
   * local tier keeps it near 1; a volatile one starts at 0 and refills from the shared tier).
   */
  localHitRatio?: number;
  probeOps: number;
  /** Mean time to serve a probe read, the modeled origin cost of misses included, in microseconds. */
  meanServeUs: number;
}

export interface RestartSettings {
  stream: StreamSettings;
  probeOps: number;
  missPenaltyUs: number;
}

/** The restart documents (the origin's content) and the probe reads, the same for every target. */
export function restartStreams(s: RestartSettings): { load: OpStream; probe: OpStream } {
  const load = loadStream(s.stream);
  const { stream: probe } = workloadStream(s.stream, 'C', 'restart-probe', s.probeOps, s.stream.recordCount);
  return { load, probe };
}

/** Reopens and serves the probe reads; misses are filled from `origin`. */
async function reopenAndProbe(open: OpenCache, options: Record<string, unknown>, origin: OpStream, probe: OpStream, s: RestartSettings, variant: RestartVariant, tiers?: TierStatsReader): Promise<RestartMeasurement> {
  const keys = keyNames(probe);
  const t0 = performance.now();
  const { cache, openMs } = await openTimed(open, options);
  let firstServedMs = 0;
  let hits = 0;
  let servedMs = 0;
  let localHitRatio: number | undefined;
  try {
    const before = tiers?.(cache);
    for (let i = 0; i < keys.length; i++) {
      const started = performance.now();
      const doc = await cache.get(keys[i]!);
      let penaltyMs = 0;
      if (doc === undefined) {
        penaltyMs = s.missPenaltyUs / 1000;
        await cache.set(keys[i]!, origin.docs[probe.keys[i]!]!);
      } else {
        hits++;
      }
      const ended = performance.now();
      servedMs += ended - started + penaltyMs;
      if (i === 0) firstServedMs = ended - t0 + penaltyMs;
    }
    if (before && tiers) localHitRatio = (tiers(cache).localHits - before.localHits) / keys.length;
  } finally {
    await cache.close();
  }
  const measurement: RestartMeasurement = { variant, docs: origin.keys.length, openMs, firstServedMs, hitRatio: hits / keys.length, probeOps: keys.length, meanServeUs: (servedMs * 1000) / keys.length };
  if (localHitRatio !== undefined) measurement.localHitRatio = localHitRatio;
  return measurement;
}

/** Loads in this process, closes, reopens. `tiers` reads a tiered target's local hits. */
export async function restartAfterClose(open: OpenCache, options: Record<string, unknown>, s: RestartSettings, tiers?: TierStatsReader): Promise<RestartMeasurement> {
  const { load, probe } = restartStreams(s);
  const cache = await open(options);
  try {
    await runUntimed(cache, load, 'async');
  } finally {
    await cache.close();
  }
  return reopenAndProbe(open, options, load, probe, s, 'close', tiers);
}

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

/** Loads in a child process, SIGKILLs it, reopens here. Also returns the child's memory report. */
export async function restartAfterKill(module: string, open: OpenCache, options: Record<string, unknown>, s: RestartSettings, tiers?: TierStatsReader): Promise<{ restart: RestartMeasurement; memory: ChildMemory }> {
  const { load, probe } = restartStreams(s);
  const child = spawn(process.execPath, [CHILD, module, JSON.stringify(options), JSON.stringify(s.stream)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    void exited.then(() => resolve(`error the child exited before loading: ${stderr.trim().split('\n').pop() ?? ''}`));
  });
  child.kill('SIGKILL');
  await exited;
  if (!line.startsWith('loaded ')) throw new Error(`the loading child failed: ${line.replace(/^error /, '')}`);
  const memory = JSON.parse(line.slice('loaded '.length)) as ChildMemory;
  return { restart: await reopenAndProbe(open, options, load, probe, s, 'sigkill', tiers), memory };
}
