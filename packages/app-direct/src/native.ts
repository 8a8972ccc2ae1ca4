/**
 * Loading the libpmemobj addon. It is loaded on the first openCache, not at import, so that
 * importing the package always works and PMEM_IS_PMEM_FORCE can still be set: PMDK reads it once,
 * when the library is loaded.
 */
import { fileURLToPath } from 'node:url';
import { CacheError, emulatePmemFlushes, requireNativeAddon, type Medium } from '@pmem-modes/core';

/** The addon's face (native/addon.cc, native/cache_handle.cc). */
export interface NativeAddon {
  init(errorClass: typeof CacheError): void;
  createPool(path: string, bucketCount: number): void;
  checkPool(path: string): string;
  isLocked(path: string): boolean;
  CacheHandle: new (path: string, poolSize: number, capacityBytes: number) => NativeHandle;
}

export interface NativeStats {
  count: number;
  bytesUsed: number;
  evictions: number;
  poolBytes: number;
  poolAllocatedBytes: number;
  bucketCount: number;
  linksFollowed: number;
  mappingIsPmem: boolean;
}

export interface NativeHandle {
  get(key: string): string | undefined;
  /** Returns how many documents it evicted to make room. */
  set(key: string, json: string, bytes: number): number;
  delete(key: string): boolean;
  has(key: string): boolean;
  keys(): string[];
  clear(): void;
  stats(): NativeStats;
  close(): void;
}

const ADDON_PATH = fileURLToPath(new URL('../build/Release/app_direct.node', import.meta.url));
export const INSTALL_HINT =
  'Install the library with `apt-get install libpmemobj-dev libpmem-dev pkg-config`, then rebuild the addon with `npm rebuild @pmem-modes/app-direct`.';

let addon: NativeAddon | undefined;

/** The addon, loaded once, after core's `emulatePmemFlushes` (PMDK reads the variable as it loads). */
export function loadNative(medium: Medium): NativeAddon {
  if (addon) return addon;
  emulatePmemFlushes(medium);
  const loaded = requireNativeAddon<NativeAddon>(ADDON_PATH, 'app-direct', INSTALL_HINT);
  loaded.init(CacheError);
  addon = loaded;
  return loaded;
}
