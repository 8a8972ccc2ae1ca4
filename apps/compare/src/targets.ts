/**
 * What the comparison runs: every known adapter package and the peers, each opened the same way
 * (`openCache({ dir, name, capacityBytes, maxDocBytes })`, plus a target's own extra options) and
 * used only through DocumentCache. A target that cannot be imported or opened is reported as
 * skipped with the reason.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CacheOptions, DocumentCache, OpenCache } from '@pmem-modes/core';

export interface TargetSpec {
  /** Short name used in tables and reports. */
  readonly id: string;
  /** Import specifier of a module exporting `openCache` (child processes import it too). */
  readonly module: string;
  readonly label: string;
  /** The enablement model, or what the peer is. */
  readonly model: string;
  readonly kind: 'adapter' | 'peer';
  /** A Redis server must be running (the harness starts a private one when it can). */
  readonly needsRedis?: boolean;
  /**
   * Extra options of openCache, over the shared ones: a configuration of an adapter (e.g. another
   * local tier). They go wherever the target is opened, the child processes included, through
   * openOptions(); they must be JSON (the children receive them as JSON).
   */
  readonly options?: Readonly<Record<string, unknown>>;
}

const peer = (file: string): string => pathToFileURL(fileURLToPath(new URL(`./peers/${file}`, import.meta.url))).href;

/** Every adapter the project defines, in the order of the talk, then the peers. */
export const KNOWN_TARGETS: readonly TargetSpec[] = [
  { id: 'dram', module: '@pmem-modes/dram', label: 'DRAM reference', model: 'process heap (the upper bound)', kind: 'adapter' },
  { id: 'storage-files', module: '@pmem-modes/storage-files', label: 'storage mode: files', model: 'storage mode: one file per document, fsync', kind: 'adapter' },
  { id: 'storage-sqlite', module: '@pmem-modes/storage-sqlite', label: 'storage mode: SQLite', model: 'storage mode: SQLite WAL, synchronous FULL', kind: 'adapter' },
  { id: 'app-direct', module: '@pmem-modes/app-direct', label: 'app-direct: libpmemobj', model: 'app direct: persistent objects mapped in the process', kind: 'adapter' },
  { id: 'volatile', module: '@pmem-modes/volatile', label: 'volatile: memkind', model: 'volatile memory: a heap carved from pmem (capacity, not persistence)', kind: 'adapter' },
  { id: 'hybrid-index', module: '@pmem-modes/hybrid-index', label: 'hybrid: DRAM index + pmem data', model: 'hybrid: DRAM index over pmem data', kind: 'adapter' },
  { id: 'hybrid-tiered', module: '@pmem-modes/hybrid-tiered', label: 'hybrid: pmem tier + Redis', model: 'hybrid: local pmem tier in front of shared Redis', kind: 'adapter', needsRedis: true },
  // The tiered hybrid's volatile baseline: the same adapter with a dram local tier, in its own Redis namespace (keyPrefix) so the two tiered targets never invalidate each other.
  { id: 'dram-tiered', module: '@pmem-modes/hybrid-tiered', label: 'baseline: dram in front of Redis', model: 'baseline: a DRAM tier in front of shared Redis (hybrid-tiered, local @pmem-modes/dram)', kind: 'adapter', needsRedis: true, options: { local: '@pmem-modes/dram', keyPrefix: 'pmem-modes-dram-tier:' } },
  { id: 'lmdb', module: peer('lmdb.js'), label: 'peer: lmdb-js', model: 'embedded persistent store (mmap B-tree, sync commits)', kind: 'peer' },
  { id: 'redis', module: peer('redis.js'), label: 'peer: Redis (loopback)', model: 'remote shared cache over TCP', kind: 'peer', needsRedis: true },
];

/**
 * The options a target is opened with, in this process and in the children: the shared ones, the
 * target's own (`spec.options`), and for the Redis peer the harness's server URL.
 */
export function openOptions(spec: TargetSpec, base: Required<Pick<CacheOptions, 'dir' | 'name' | 'capacityBytes' | 'maxDocBytes'>>, redisUrl?: string): Record<string, unknown> {
  const options: Record<string, unknown> = { ...base, ...spec.options };
  return spec.id === 'redis' && redisUrl ? { ...options, url: redisUrl } : options;
}

/** What a tiered adapter's local tier did since open (a subset of hybrid-tiered's TierStats). */
export interface TierCounters {
  /** `get`s served by the local tier. */
  localHits: number;
  /** `get`s that went to the shared tier. */
  remoteReads: number;
}

export type TierStatsReader = (cache: DocumentCache) => TierCounters;

/**
 * The tier counters of a target whose module exports `tierStats(cache)` (hybrid-tiered's public
 * diagnostics), else undefined: a target without tiers has no local hit ratio.
 */
export async function importTierStats(spec: TargetSpec): Promise<TierStatsReader | undefined> {
  const mod = (await import(spec.module)) as { tierStats?: unknown };
  if (typeof mod.tierStats !== 'function') return undefined;
  const read = mod.tierStats as (cache: DocumentCache) => Partial<TierCounters>;
  return (cache) => {
    const { localHits, remoteReads } = read(cache);
    if (typeof localHits !== 'number' || typeof remoteReads !== 'number') throw new Error(`${spec.module}: tierStats() has no localHits/remoteReads counters`);
    return { localHits, remoteReads };
  };
}

/** Imports a target's module; throws with a reason a person can act on. */
export async function importTarget(spec: TargetSpec): Promise<OpenCache> {
  let mod: { openCache?: unknown };
  try {
    mod = (await import(spec.module)) as { openCache?: unknown };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(spec.module)) {
      throw new Error(`${spec.module} is not installed or not built (run the build: npm run build)`);
    }
    throw new Error(`importing ${spec.module} failed: ${(err as Error).message}`);
  }
  if (typeof mod.openCache !== 'function') throw new Error(`${spec.module} does not export openCache()`);
  return mod.openCache as OpenCache;
}

/** Opens a target and times the open in milliseconds. */
export async function openTimed(open: OpenCache, options: Record<string, unknown>): Promise<{ cache: DocumentCache; openMs: number }> {
  const t0 = performance.now();
  const cache = await open(options);
  return { cache, openMs: performance.now() - t0 };
}

/** One line for a failure: the CacheError code when there is one, then the message. */
export function describeError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return typeof e?.code === 'string' && e.code.startsWith('ERR_') ? `${e.code}: ${message}` : message;
}
