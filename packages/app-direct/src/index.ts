/**
 * app-direct: the document cache in a libpmemobj pool mapped into the process. The index (a
 * persistent hash table) and the documents live in persistent memory; every change is one PMDK
 * transaction; reads copy a document out of the mapping once. A warm restart maps the pool and
 * serves the first get at once: there is nothing to rebuild. See docs/app-direct.md.
 */
import { join } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import {
  CacheBase,
  CacheError,
  checkKnownOptions,
  checkPositiveInt,
  detectMedium,
  prepareDir,
  resolveDir,
  resolveLimits,
  type Capabilities,
  type CacheOptions,
  type CacheStats,
  type DocumentCache,
  type Medium,
  type ResolvedLimits,
  type Usage,
} from '@pmem-modes/core';
import { loadNative, type NativeHandle } from './native.js';
import { checkInChild, classifyPoolFile, createPoolFile, markClosed, markOpen, wasClosedCleanly } from './pool-file.js';
import { MIN_POOL_BYTES, bucketCountFor, defaultPoolSize } from './sizing.js';

/** The shared options, plus the pool settings below. */
export interface AppDirectOptions extends CacheOptions {
  /**
   * Size in bytes of the pool file, used only when the pool is created (an existing pool keeps
   * its size). At least 8 MiB (PMDK's minimum). Default: max(8 MiB, 1.25 * capacityBytes +
   * 8 bytes per bucket + 4 MiB, rounded up to a MiB); see docs/app-direct.md.
   */
  poolSize?: number;
}

/** What stats() adds for this adapter, from PMDK and from the pool's root. */
export interface AppDirectStats extends CacheStats {
  /** Size of the pool file. */
  readonly poolBytes: number;
  /** Bytes PMDK's heap has handed out (stats.heap.curr_allocated): documents, headers, index, logs. */
  readonly poolAllocatedBytes: number;
  /** poolBytes minus what is allocated and PMDK's fixed overhead: an upper bound on what can still be allocated. */
  readonly poolFreeBytes: number;
  /** Chain links followed since open: how much index walking the gets and sets cost. */
  readonly linksFollowed: number;
  /** Whether PMDK treats the mapping as persistent memory (flushes with CPU instructions, not msync). */
  readonly mappingIsPmem: boolean;
}

/** This adapter's name: `cache.adapter`, and the prefix of its data in `dir`. */
export const ADAPTER = 'app-direct';

const CAPABILITIES: Capabilities = Object.freeze({
  persistent: true,
  crashConsistent: true,
  evicts: true,
  sync: true,
  exclusive: true,
  shared: false,
});

const KNOWN_OPTIONS = ['dir', 'name', 'capacityBytes', 'maxDocBytes', 'poolSize'] as const;
/** The pool header and lanes PMDK keeps out of the heap (see sizing.ts). */
const PMDK_FIXED_BYTES = 3 * 1024 * 1024;

class AppDirectCache extends CacheBase {
  readonly adapter = ADAPTER;
  readonly capabilities = CAPABILITIES;
  #evictions = 0;

  constructor(
    limits: ResolvedLimits,
    readonly medium: Medium,
    private readonly handle: NativeHandle,
    private readonly poolPath: string,
  ) {
    super(limits);
  }

  protected readRaw(key: string): string | undefined {
    return this.handle.get(key);
  }

  protected writeRaw(key: string, json: string, bytes: number): void {
    this.#evictions += this.handle.set(key, json, bytes);
  }

  protected removeRaw(key: string): boolean {
    return this.handle.delete(key);
  }

  protected hasRaw(key: string): boolean {
    return this.handle.has(key);
  }

  protected listRaw(): string[] {
    return this.handle.keys();
  }

  protected clearRaw(): void {
    this.handle.clear();
  }

  protected usage(): Usage & Omit<AppDirectStats, keyof CacheStats> {
    const s = this.handle.stats();
    return {
      count: s.count,
      bytesUsed: s.bytesUsed,
      capacityBytes: this.limits.capacityBytes,
      evictions: this.#evictions,
      poolBytes: s.poolBytes,
      poolAllocatedBytes: s.poolAllocatedBytes,
      poolFreeBytes: Math.max(0, s.poolBytes - PMDK_FIXED_BYTES - s.poolAllocatedBytes),
      linksFollowed: s.linksFollowed,
      mappingIsPmem: s.mappingIsPmem,
    };
  }

  override stats(): AppDirectStats {
    return super.stats() as AppDirectStats;
  }

  protected closeRaw(): void {
    this.handle.close();
    markClosed(this.poolPath);
  }
}

/** Opens (creating if needed) the cache in `join(dir, 'app-direct-<name>.pool')`. */
export async function openCache(options: AppDirectOptions = {}): Promise<
  DocumentCache & {
    /** The shared stats plus the pool's. */
    stats(): AppDirectStats;
  }
> {
  checkKnownOptions(ADAPTER, options, KNOWN_OPTIONS);
  const limits = resolveLimits(options);
  const poolSize = options.poolSize ?? defaultPoolSize(limits.capacityBytes);
  checkPositiveInt('poolSize', poolSize);
  if (poolSize < MIN_POOL_BYTES) {
    throw new CacheError('ERR_INVALID_OPTION', `Option poolSize must be at least ${MIN_POOL_BYTES} bytes (8 MiB, PMDK's smallest pool); got ${poolSize}.`);
  }
  const dir = prepareDir(resolveDir(options.dir));
  const poolPath = join(dir, `${ADAPTER}-${limits.name}.pool`);
  const detected = detectMedium(dir);
  const native = loadNative(detected);

  // createPoolFile answers false when another process created the pool first: open theirs.
  if (!existsSync(poolPath)) createPoolFile(native, poolPath, poolSize, bucketCountFor(limits.capacityBytes, poolSize));
  classifyPoolFile(poolPath);
  if (!wasClosedCleanly(poolPath)) {
    if (native.isLocked(poolPath)) throw lockedError(poolPath);
    checkInChild(poolPath);
  }
  const handle = new native.CacheHandle(poolPath, statSync(poolPath).size, limits.capacityBytes);
  try {
    markOpen(poolPath);
  } catch (cause) {
    handle.close();
    throw new CacheError('ERR_DIR_UNUSABLE', `Cannot write the open marker next to ${poolPath}. Check the directory's permissions.`, { cause });
  }
  const mapping = handle.stats().mappingIsPmem;
  const medium: Medium = {
    ...detected,
    path: poolPath,
    description: `${detected.description}; PMDK ${mapping ? 'flushes with CPU cache instructions (pmem_is_pmem: yes' : 'flushes with msync (pmem_is_pmem: no'}${process.env.PMEM_IS_PMEM_FORCE === '1' ? ', PMEM_IS_PMEM_FORCE=1)' : ')'}`,
  };
  return new AppDirectCache(limits, medium, handle, poolPath);
}

function lockedError(poolPath: string): CacheError {
  return new CacheError('ERR_POOL_LOCKED', `${poolPath} is open in another process (or another cache in this one). Close it there first; one process owns a pool at a time.`);
}
