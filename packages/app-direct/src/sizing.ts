/**
 * How big a pool is made, and how many buckets its index gets. Only used when the pool is created:
 * an existing pool keeps its size (the file's) and its bucket count (in its root).
 */

const MiB = 1024 * 1024;

/** PMDK refuses smaller pools (PMEMOBJ_MIN_POOL). */
export const MIN_POOL_BYTES = 8 * MiB;
/**
 * What every pool spends before the first document: the pool and heap headers and 1024 lanes
 * of about 3 KiB (the per-thread undo/redo logs), measured at about 3 MiB, plus room for the
 * logs of large transactions.
 */
export const POOL_FIXED_OVERHEAD_BYTES = 4 * MiB;
/**
 * Pool bytes per byte of capacity: each document also takes a 32-byte entry header, PMDK's
 * 16-byte allocation header and its size-class rounding (about 15% for 1 KiB documents).
 */
export const POOL_BYTES_PER_CAPACITY_BYTE = 1.25;
/** One bucket (an 8-byte offset) per this many bytes of capacity: chains of about half an entry for 1 KiB documents. */
const CAPACITY_BYTES_PER_BUCKET = 512;
const MIN_BUCKETS = 1024;

/** Buckets for a cache of `capacityBytes` in a pool of `poolBytes`: a power of two. */
export function bucketCountFor(capacityBytes: number, poolBytes: number): number {
  const wanted = Math.max(MIN_BUCKETS, Math.min(capacityBytes, poolBytes) / CAPACITY_BYTES_PER_BUCKET);
  return 2 ** Math.ceil(Math.log2(wanted));
}

/**
 * The default poolSize: poolSize = max(8 MiB, roundUp(1.25 * capacityBytes + 8 * buckets + 4 MiB, 1 MiB)).
 * Enough for capacityBytes of documents of 1 KiB and more; with much smaller documents the pool
 * fills before capacityBytes is reached, and the cache evicts on the pool's bound instead.
 */
export function defaultPoolSize(capacityBytes: number): number {
  const buckets = bucketCountFor(capacityBytes, Number.MAX_SAFE_INTEGER);
  const bytes = POOL_BYTES_PER_CAPACITY_BYTE * capacityBytes + 8 * buckets + POOL_FIXED_OVERHEAD_BYTES;
  return Math.max(MIN_POOL_BYTES, Math.ceil(bytes / MiB) * MiB);
}
