/**
 * The service's settings, all from the environment (twelve-factor style), checked once at start
 * with the same `ERR_INVALID_OPTION` errors the caches use.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheError, DEFAULT_MAX_DOC_BYTES, checkPositiveInt } from '@pmem-modes/core';

export interface ServiceConfig {
  /** `CACHE_ADAPTER`: the adapter package to load. Default `@pmem-modes/dram`. */
  adapter: string;
  /** `HOST`, default `127.0.0.1`; `PORT`, default 3000 (0: any free port). */
  host: string;
  port: number;
  /** `PMEM_DIR`: the cache's directory (the adapters read it themselves; undefined: their default). */
  cacheDir: string | undefined;
  /** `CACHE_NAME`, default `example-service`: the cache's name inside its directory. */
  cacheName: string;
  /** `CACHE_CAPACITY_BYTES`, default 64 MiB. */
  capacityBytes: number;
  /** `CACHE_MAX_DOC_BYTES`, default 1 MiB: also bounds request bodies. */
  maxDocBytes: number;
  /** `ORIGIN_DIR`: where the simulated origin keeps its records. Default under the temp dir. */
  originDir: string;
  /** `ORIGIN_DELAY_MS`, default 50: how slow the origin is per call. */
  originDelayMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const config: ServiceConfig = {
    adapter: env.CACHE_ADAPTER || '@pmem-modes/dram',
    host: env.HOST || '127.0.0.1',
    port: intFrom(env, 'PORT', 3000, true),
    cacheDir: env.PMEM_DIR || undefined,
    cacheName: env.CACHE_NAME || 'example-service',
    capacityBytes: intFrom(env, 'CACHE_CAPACITY_BYTES', 64 * 1024 * 1024),
    maxDocBytes: intFrom(env, 'CACHE_MAX_DOC_BYTES', DEFAULT_MAX_DOC_BYTES),
    originDir: env.ORIGIN_DIR || join(tmpdir(), 'pmem-modes-example-origin'),
    originDelayMs: intFrom(env, 'ORIGIN_DELAY_MS', 50, true),
  };
  if (config.port > 65535) {
    throw new CacheError('ERR_INVALID_OPTION', `PORT must be 0-65535, got ${config.port}.`);
  }
  return config;
}

/** An integer setting; `zeroAllowed` for PORT=0 (any port) and ORIGIN_DELAY_MS=0. */
function intFrom(env: NodeJS.ProcessEnv, variable: string, fallback: number, zeroAllowed = false): number {
  const text = env[variable];
  if (text === undefined || text === '') return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (zeroAllowed && value === 0) return 0;
  checkPositiveInt(variable, value);
  return value;
}
