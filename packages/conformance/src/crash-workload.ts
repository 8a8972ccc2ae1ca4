import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Doc } from '@pmem-modes/core';

export const CRASH_KEYS = 48;
/** The crash workload's largest document is about 40 KiB: this holds every key with room to spare. */
export const CRASH_MIN_CAPACITY_BYTES = 3 * 1024 * 1024;

/** Operation i of the crash workload with `seed`: a set (doc) or a delete (doc undefined). */
export function crashOp(seed: number, i: number): { key: string; doc: Doc | undefined } {
  const key = `crash:${(i * 7919 + seed) % CRASH_KEYS}`;
  if (i % 9 === 8) return { key, doc: undefined };
  // Sizes from 10 bytes to ~40 KiB so writes span many cache lines and pages.
  const size = 10 + ((i * 2654435761 + seed) % 40000);
  const body = String.fromCharCode(97 + (i % 26)).repeat(size);
  return { key, doc: { i, seed, body, sum: checksum(i, body) } };
}

export function checksum(i: number, body: string): string {
  return createHash('sha1').update(`${i}:${body}`).digest('hex');
}

/** True when a document read back is whole: its checksum matches its content. */
export function isWhole(doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null) return false;
  const d = doc as { i?: unknown; body?: unknown; sum?: unknown };
  return typeof d.i === 'number' && typeof d.body === 'string' && d.sum === checksum(d.i, d.body);
}

/** What a reopened cache held after a SIGKILL, judged against the acknowledged operations. */
export interface RecoveryVerdict {
  /** Keys whose document fails its checksum (a torn write). */
  torn: string[];
  /**
   * Keys whose document is neither what the acknowledged operations left nor the write in flight
   * at the kill: an acknowledged write or delete lost, or a document that should not be there.
   */
  lost: string[];
  /** The state the acknowledged operations left (the next trial's baseline when nothing is lost). */
  expected: Map<string, Doc>;
}

/**
 * Replays operations 0..`lastAck` of the crash workload with `seed` over `baseline` (what the cache
 * held before the child started) and compares the result with `actual`, the cache read back after
 * the kill. Operation `lastAck + 1` was in flight: its key may hold either its old or new state.
 */
export function judgeRecovery(baseline: ReadonlyMap<string, Doc>, seed: number, lastAck: number, actual: Readonly<Record<string, Doc | undefined>>): RecoveryVerdict {
  const expected = new Map(baseline);
  for (let i = 0; i <= lastAck; i++) {
    const op = crashOp(seed, i);
    if (op.doc === undefined) expected.delete(op.key);
    else expected.set(op.key, op.doc);
  }
  const inflight = crashOp(seed, lastAck + 1);
  const torn = Object.entries(actual)
    .filter(([, doc]) => !isWhole(doc))
    .map(([key]) => key);
  const lost: string[] = [];
  for (const key of new Set([...expected.keys(), ...Object.keys(actual)])) {
    const got = Object.hasOwn(actual, key) ? actual[key] : undefined;
    const fine = isDeepStrictEqual(got, expected.get(key)) || (key === inflight.key && isDeepStrictEqual(got, inflight.doc));
    if (!fine) lost.push(key);
  }
  return { torn, lost, expected };
}
