import { createHash } from 'node:crypto';
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
