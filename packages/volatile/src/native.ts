/**
 * Loading the memkind addon, and the one place where its status codes become CacheErrors.
 * The addon returns statuses (its own, listed in `binding.status`, or memkind's negative error
 * codes); every wording a user sees is here.
 */
import { createRequire } from 'node:module';
import { CacheError, capacityError } from '@pmem-modes/core';

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
  status: { OK: number; TOO_LARGE: number; HEAP_FULL: number; INDEX_ALLOC: number };
}

const INSTALL_HINT = 'Install memkind with `apt-get install libmemkind-dev pkg-config`, then run `npm rebuild @pmem-modes/volatile`.';

let binding: Binding | undefined;

/** The addon, loaded on first use so that `import` works on machines without memkind. */
export function loadBinding(): Binding {
  if (binding) return binding;
  try {
    binding = createRequire(import.meta.url)('../build/Release/volatile_heap.node') as Binding;
    return binding;
  } catch (cause) {
    throw new CacheError(
      'ERR_NATIVE_UNAVAILABLE',
      `The volatile adapter's memkind addon is not available (${(cause as Error).message.split('\n')[0]}). ${INSTALL_HINT}`,
      { cause },
    );
  }
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
