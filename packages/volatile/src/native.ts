/**
 * Loading the memkind addon, and the one place where its status codes become CacheErrors.
 * The addon returns statuses (its own, listed in `binding.status`, or memkind's negative error
 * codes); every wording a user sees is here.
 */
import { fileURLToPath } from 'node:url';
import { CacheError, capacityError, requireNativeAddon } from '@pmem-modes/core';

/** One memkind kind and the entry table inside it (native/heap_binding.cc). */
export interface NativeHeap {
  open(dir: string, maxSize: number, capacityBytes: number): number;
  get(key: string): string | undefined;
  set(key: string, json: string, utf8Length: number): number;
  has(key: string): boolean;
  delete(key: string): boolean;
  keys(): string[];
  clear(): void;
  /** Fills count, bytesUsed, evictions. */
  usage(out: Float64Array): void;
  /** Fills memkind's allocated, active and resident bytes for this kind; returns a status. */
  heapStats(out: Float64Array): number;
  close(): number;
}

export interface Binding {
  VolatileHeap: new () => NativeHeap;
  errorMessage(code: number): string;
  status: { OK: number; TOO_LARGE: number; HEAP_FULL: number; INDEX_ALLOC: number; MEMKIND_TOOMANY: number; MEMKIND_ARENAS_CREATE: number };
}

const INSTALL_HINT = 'Install memkind with `apt-get install libmemkind-dev pkg-config`, then run `npm rebuild @pmem-modes/volatile`.';

const ADDON_PATH = fileURLToPath(new URL('../build/Release/volatile_heap.node', import.meta.url));

let binding: Binding | undefined;

/** The addon, loaded on first use so that `import` works on machines without memkind. */
export function loadBinding(): Binding {
  binding ??= requireNativeAddon<Binding>(ADDON_PATH, 'volatile (memkind)', INSTALL_HINT);
  return binding;
}

/** What the failing call was doing, for the message. */
export type HeapCall =
  | { call: 'open'; heapDir: string; heapBytes: number }
  | { call: 'set'; needed: number; capacityBytes: number; heapBytes: number }
  | { call: 'stats' | 'close' };

/** The CacheError for a non-zero status from the addon. */
export function statusError(b: Binding, status: number, at: HeapCall): CacheError {
  if (at.call === 'set' && status === b.status.TOO_LARGE) return capacityError(at.needed, at.capacityBytes);
  if (at.call === 'set' && status === b.status.HEAP_FULL) {
    return new CacheError(
      'ERR_CAPACITY',
      `memkind could not allocate ${at.needed} bytes in this cache's ${at.heapBytes}-byte heap even after evicting every other document. Raise capacityBytes or store smaller documents.`,
    );
  }
  if (at.call === 'open' && status === b.status.INDEX_ALLOC) {
    return new CacheError('ERR_CAPACITY', `The ${at.heapBytes}-byte memkind heap cannot hold the cache's index. Raise capacityBytes.`);
  }
  const memkind = b.errorMessage(status);
  if (at.call === 'open' && (status === b.status.MEMKIND_TOOMANY || status === b.status.MEMKIND_ARENAS_CREATE)) {
    // A limit on heaps, not on bytes: the closest code is still "no room".
    return new CacheError(
      'ERR_CAPACITY',
      `This process holds as many memkind heaps as memkind and jemalloc allow (${memkind}). Each open volatile cache is one heap: close the ones you no longer use, or share one cache.`,
    );
  }
  if (at.call === 'open') {
    return new CacheError(
      'ERR_DIR_UNUSABLE',
      `memkind could not create a ${at.heapBytes}-byte heap in ${at.heapDir} (${memkind}, code ${status}). Point the dir option or PMEM_DIR at a writable directory on a DAX mount or tmpfs with that much free space.`,
    );
  }
  return new CacheError(
    'ERR_NATIVE_UNAVAILABLE',
    `memkind failed to ${at.call === 'stats' ? 'report heap statistics' : 'destroy the heap'} (${memkind}, code ${status}); the installed libmemkind may not match the addon. ${INSTALL_HINT}`,
  );
}
