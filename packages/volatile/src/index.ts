/**
 * volatile: persistent memory used for its capacity, not its persistence. The index and the
 * documents live in a memkind heap carved from a file in `dir` (a DAX mount, or /dev/shm when
 * emulating), outside the V8 heap and the process's malloc heap, so a cache can hold far more than
 * V8 allows. Nothing survives `close()` or a crash: memkind unlinks its file as soon as it maps it.
 */
import { readdirSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  CacheBase,
  checkKnownOptions,
  detectMedium,
  prepareDir,
  resolveDir,
  resolveLimits,
  CacheError,
  type Capabilities,
  type CacheOptions,
  type CacheStats,
  type DocumentCache,
  type Medium,
  type ResolvedLimits,
  type Usage,
} from '@pmem-modes/core';
import { loadBinding, statusError, type Binding, type NativeHeap } from './native.js';

/**
 * The shared options, nothing more: the heap's size follows from `capacityBytes` (see
 * {@link heapBytesFor}).
 * - `dir`: where memkind creates (and at once unlinks) the heap's file; default `PMEM_DIR`, else
 *   `/dev/shm/pmem-modes`. The adapter uses the subdirectory `volatile-<name>` and removes it on close.
 * - `name`: default `default`. `capacityBytes`: keys + documents, default 64 MiB.
 * - `maxDocBytes`: default 1 MiB.
 */
export type VolatileOptions = Pick<CacheOptions, 'dir' | 'name' | 'capacityBytes' | 'maxDocBytes'>;

/** This adapter's name: `cache.adapter`, and the prefix of its data in `dir`. */
export const ADAPTER = 'volatile';

const CAPABILITIES: Capabilities = Object.freeze({
  persistent: false,
  crashConsistent: false,
  evicts: true,
  sync: true,
  exclusive: false,
  shared: false,
});

/** memkind refuses a PMEM kind smaller than this (MEMKIND_PMEM_MIN_SIZE). */
export const MIN_HEAP_BYTES = 16 * 1024 * 1024;

/**
 * The memkind heap's size for a cache of `capacityBytes`. memkind bounds the pages its jemalloc
 * arenas hold, and jemalloc rounds each allocation up to a size class (up to 25% more) and gives
 * each allocation of 16 KiB or more an extra page (its cache-oblivious offset): a document just
 * over 16 KiB takes 24 KiB, the worst ratio, 1.5. Entries add a 40-byte header and up to 16 bytes
 * of bucket array, and jemalloc keeps some metadata: hence 1.5 times plus 2 MiB. Then
 * `capacityBytes` binds before memkind runs out, except for documents under about 100 bytes, where
 * headers dominate and memkind's out-of-memory makes the cache evict earlier (docs/volatile.md).
 */
export function heapBytesFor(capacityBytes: number): number {
  return Math.max(MIN_HEAP_BYTES, capacityBytes + Math.ceil(capacityBytes / 2) + 2 * 1024 * 1024);
}

/** stats() plus what memkind reports for this cache's heap. */
export interface VolatileStats extends CacheStats {
  readonly heap: {
    /** The kind's limit (memkind_create_pmem's max_size). */
    readonly maxBytes: number;
    /** memkind's MEMKIND_STAT_TYPE_ALLOCATED, ACTIVE and RESIDENT for this kind. */
    readonly allocatedBytes: number;
    readonly activeBytes: number;
    readonly residentBytes: number;
  };
}

class VolatileCache extends CacheBase {
  readonly adapter = ADAPTER;
  readonly capabilities = CAPABILITIES;
  readonly medium: Medium;
  readonly #binding: Binding;
  readonly #heap: NativeHeap;
  readonly #heapDir: string;
  readonly #heapBytes: number;
  // Reused by usage() and stats(): out-parameters of the addon.
  readonly #numbers = new Float64Array(3);

  constructor(limits: ResolvedLimits, binding: Binding, heap: NativeHeap, heapDir: string, heapBytes: number, medium: Medium) {
    super(limits);
    this.#binding = binding;
    this.#heap = heap;
    this.#heapDir = heapDir;
    this.#heapBytes = heapBytes;
    this.medium = medium;
  }

  protected readRaw(key: string): string | undefined {
    return this.#heap.get(key);
  }

  protected writeRaw(key: string, json: string, bytes: number): void {
    const status = this.#heap.set(key, json, bytes);
    if (status !== 0) {
      const needed = Buffer.byteLength(key) + bytes;
      throw statusError(this.#binding, status, { call: 'set', needed, capacityBytes: this.limits.capacityBytes, heapBytes: this.#heapBytes });
    }
  }

  protected removeRaw(key: string): boolean {
    return this.#heap.delete(key);
  }

  protected hasRaw(key: string): boolean {
    return this.#heap.has(key);
  }

  protected listRaw(): string[] {
    return this.#heap.keys();
  }

  protected clearRaw(): void {
    this.#heap.clear();
  }

  protected usage(): Usage {
    this.#heap.usage(this.#numbers);
    const [count, bytesUsed, evictions] = this.#numbers as unknown as [number, number, number];
    return { count, bytesUsed, evictions, capacityBytes: this.limits.capacityBytes };
  }

  /** About 75 us: memkind refreshes its figures by walking every arena of the process. */
  override stats(): VolatileStats {
    return { ...super.stats(), heap: this.#heapStats() };
  }

  #heapStats(): VolatileStats['heap'] {
    const status = this.#heap.heapStats(this.#numbers);
    if (status !== 0) throw statusError(this.#binding, status, { call: 'stats' });
    const [allocatedBytes, activeBytes, residentBytes] = this.#numbers as unknown as [number, number, number];
    return { maxBytes: this.#heapBytes, allocatedBytes, activeBytes, residentBytes };
  }

  protected closeRaw(): void {
    const status = this.#heap.close();
    removeHeapDir(this.#heapDir);
    if (status !== 0) throw statusError(this.#binding, status, { call: 'close' });
  }
}

/** Best effort: memkind already unlinked the heap's file, so only an empty directory is left. */
function removeHeapDir(heapDir: string): void {
  rmSync(heapDir, { recursive: true, force: true });
}

/**
 * Creates `volatile-<name>` in `dir`, emptied of whatever a crashed run left (memkind unlinks its
 * file right after creating it, so at most the directory itself, or a file from a crash inside
 * memkind_create_pmem).
 */
function prepareHeapDir(dir: string, name: string): string {
  const heapDir = join(dir, `${ADAPTER}-${name}`);
  try {
    mkdirSync(heapDir, { recursive: true, mode: 0o700 });
    for (const leftover of readdirSync(heapDir)) rmSync(join(heapDir, leftover), { recursive: true, force: true });
  } catch (cause) {
    throw new CacheError(
      'ERR_DIR_UNUSABLE',
      `Cannot prepare ${heapDir} for the volatile heap (${(cause as NodeJS.ErrnoException).code ?? String(cause)}). Point the dir option or PMEM_DIR at a writable directory.`,
      { cause },
    );
  }
  return heapDir;
}

/** Creates a fresh memkind heap in `dir` for this cache (nothing survives close); rejects `ERR_NATIVE_UNAVAILABLE` without memkind. */
export async function openCache(options: VolatileOptions = {}): Promise<DocumentCache> {
  checkKnownOptions(ADAPTER, options, ['dir', 'name', 'capacityBytes', 'maxDocBytes']);
  const limits = resolveLimits(options);
  const dir = prepareDir(resolveDir(options.dir));
  const binding = loadBinding();
  const heapDir = prepareHeapDir(dir, limits.name);
  const heapBytes = heapBytesFor(limits.capacityBytes);
  const heap = new binding.VolatileHeap();
  const status = heap.open(heapDir, heapBytes, limits.capacityBytes);
  if (status !== 0) {
    removeHeapDir(heapDir);
    throw statusError(binding, status, { call: 'open', heapDir, heapBytes });
  }
  return new VolatileCache(limits, binding, heap, heapDir, heapBytes, detectMedium(dir));
}
