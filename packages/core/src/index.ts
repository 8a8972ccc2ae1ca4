export { CacheError, ErrorCode, ERROR_CODES, capacityError, isCacheError, requireNativeAddon, type CacheErrorCode } from './errors.js';
export type { Capabilities, CacheOptions, CacheStats, Doc, DocumentCache, Medium, OpenCache } from './types.js';
export {
  checkKey,
  checkKnownOptions,
  checkPositiveInt,
  decodeDoc,
  encodeDoc,
  resolveLimits,
  DEFAULT_CAPACITY_BYTES,
  DEFAULT_MAX_DOC_BYTES,
  MAX_KEY_BYTES,
  type EncodedDoc,
  type ResolvedLimits,
} from './validate.js';
export { detectMedium, emulatePmemFlushes, prepareDir, resolveDir, DRAM_MEDIUM, EMULATED_PMEM_DIR } from './medium.js';
export { acquireProcessLock, type ProcessLock } from './lock.js';
export { CacheBase, type MaybePromise, type Usage } from './base.js';
export { IndexedCacheBase, type IndexEntry } from './indexed.js';
export { LruIndex, type LruEntry } from './lru.js';
