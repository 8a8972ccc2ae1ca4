/**
 * Opens the one cache the service uses, from the adapter package named in `CACHE_ADAPTER`.
 * Every adapter exports the same `openCache`, so switching enablement model is a configuration
 * change, not a code change.
 */
import { CacheError, type DocumentCache, type OpenCache } from '@pmem-modes/core';
import type { ServiceConfig } from './config.js';

export async function openConfiguredCache(config: ServiceConfig): Promise<DocumentCache> {
  let mod: { openCache?: unknown };
  try {
    mod = (await import(config.adapter)) as { openCache?: unknown };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      throw new CacheError('ERR_INVALID_OPTION', `CACHE_ADAPTER=${config.adapter} is not installed here; run npm install ${config.adapter}.`, { cause: err });
    }
    throw err;
  }
  if (typeof mod.openCache !== 'function') {
    throw new CacheError('ERR_INVALID_OPTION', `CACHE_ADAPTER=${config.adapter} exports no openCache(); name a @pmem-modes adapter package.`);
  }
  const openCache = mod.openCache as OpenCache;
  return openCache({
    dir: config.cacheDir,
    name: config.cacheName,
    capacityBytes: config.capacityBytes,
    maxDocBytes: config.maxDocBytes,
  });
}
