/**
 * Timing one block of operations on one cache: each operation is timed on its own and recorded
 * in HDR histograms (nanoseconds, 3 significant digits); throughput is the block's operations over
 * its wall time. Keys are built and garbage collected before the clock starts.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import * as hdr from 'hdr-histogram-js';
import type { Doc, DocumentCache } from '@pmem-modes/core';
import { OpKind, keyOf, type OpStream } from './workload.js';

/** Percentiles of one histogram, in microseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export const PERCENTILES = ['p50', 'p90', 'p99', 'p999', 'max'] as const;
export type Percentile = (typeof PERCENTILES)[number];

/** What one timed block measured. `read` covers get; `write` covers set, insert and read-modify-write. */
export interface BlockMeasurement {
  opsPerSec: number;
  all: LatencySummary;
  read?: LatencySummary;
  write?: LatencySummary;
  /** Reads that found nothing (every read targets a loaded key: should be 0 unless the cache evicted). */
  misses: number;
}

export type AccessMode = 'async' | 'sync';

const HIGHEST_NS = 60 * 1e9;

function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_NS, numberOfSignificantValueDigits: 3 });
}

export function summarize(h: hdr.Histogram): LatencySummary {
  const us = (ns: number): number => ns / 1000;
  // A percentile is reported as the top of its bucket, which can exceed the exact maximum recorded.
  const at = (percentile: number): number => us(Math.min(h.getValueAtPercentile(percentile), h.maxValue));
  return { count: h.totalCount, mean: us(h.mean), p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: us(h.maxValue) };
}

/** Nanoseconds since `startMs` (a performance.now() reading), clamped to the histograms' range. */
function elapsedNs(startMs: number): number {
  return Math.min(HIGHEST_NS, Math.max(1, Math.round((performance.now() - startMs) * 1e6)));
}

let gcFunction: (() => void) | undefined;
/** A full garbage collection, outside the timed part (V8's gc exposed at run time). */
export function collectGarbage(): void {
  if (!gcFunction) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  gcFunction();
}

/** The key strings of a stream, built before timing. */
export function keyNames(stream: OpStream): string[] {
  return Array.from(stream.keys, keyOf);
}

/**
 * Runs the operations of `stream` on `cache` without timing them (warm-up and loading), all of
 * them or as many as fit in `timeLimitMs`.
 */
export async function runUntimed(cache: DocumentCache, stream: OpStream, mode: AccessMode, timeLimitMs = Infinity): Promise<void> {
  const keys = keyNames(stream);
  const deadline = performance.now() + timeLimitMs;
  for (let i = 0; i < keys.length && performance.now() < deadline; i++) {
    const doc = stream.docs[i];
    if (mode === 'sync') {
      if (stream.kinds[i] === OpKind.Read || stream.kinds[i] === OpKind.ReadModifyWrite) cache.getSync(keys[i]!);
      if (doc !== undefined) cache.setSync(keys[i]!, doc);
    } else {
      if (stream.kinds[i] === OpKind.Read || stream.kinds[i] === OpKind.ReadModifyWrite) await cache.get(keys[i]!);
      if (doc !== undefined) await cache.set(keys[i]!, doc);
    }
  }
}

/**
 * Times the operations of `stream` on `cache`: all of them, or the prefix that fits in
 * `timeLimitMs` (a slow target then runs fewer operations of the same stream; `all.count` says how many).
 */
export async function measureBlock(cache: DocumentCache, stream: OpStream, mode: AccessMode, timeLimitMs = Infinity): Promise<BlockMeasurement> {
  const keys = keyNames(stream);
  const all = histogram();
  const reads = histogram();
  const writes = histogram();
  let misses = 0;
  collectGarbage();
  const began = performance.now();
  const deadline = began + timeLimitMs;
  let done = 0;
  for (let i = 0; i < keys.length && (i === 0 || performance.now() < deadline); i++) {
    const key = keys[i]!;
    const kind = stream.kinds[i];
    const t0 = performance.now();
    let found: Doc | undefined = null;
    if (mode === 'sync') {
      if (kind === OpKind.Read || kind === OpKind.ReadModifyWrite) found = cache.getSync(key);
      if (kind !== OpKind.Read) cache.setSync(key, stream.docs[i]!);
    } else {
      if (kind === OpKind.Read || kind === OpKind.ReadModifyWrite) found = await cache.get(key);
      if (kind !== OpKind.Read) await cache.set(key, stream.docs[i]!);
    }
    const ns = elapsedNs(t0);
    all.recordValue(ns);
    (kind === OpKind.Read ? reads : writes).recordValue(ns);
    // Counting misses also keeps the result alive, so no read can be optimised away.
    if (found === undefined) misses++;
    done++;
  }
  const wallMs = performance.now() - began;
  const result: BlockMeasurement = {
    opsPerSec: done / (wallMs / 1000),
    all: summarize(all),
    read: reads.totalCount ? summarize(reads) : undefined,
    write: writes.totalCount ? summarize(writes) : undefined,
    misses,
  };
  all.destroy();
  reads.destroy();
  writes.destroy();
  return result;
}

/** What the clock itself costs: the percentiles of timing nothing (subtract mentally from sub-µs figures). */
export function timerOverhead(samples = 20_000): LatencySummary {
  const h = histogram();
  for (let i = 0; i < samples; i++) h.recordValue(elapsedNs(performance.now()));
  const s = summarize(h);
  h.destroy();
  return s;
}
