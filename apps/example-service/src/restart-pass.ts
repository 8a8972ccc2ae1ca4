/**
 * What a user gains from a persistent cache, measured end to end: start the service, write
 * documents through it, stop it with SIGTERM, start it again on the same cache directory, and read
 * every document once. Shared by the restart test and the restart benchmark.
 */
import { join } from 'node:path';
import { docPath, http, startService } from './supervise.js';

export interface RestartPassOptions {
  adapter: string;
  /** A scratch directory: the cache goes in `work/pmem`, the origin in `work/origin`. */
  work: string;
  ids: readonly string[];
  originDelayMs: number;
  /** More environment for the service, e.g. `REDIS_URL` for an adapter with a remote tier. */
  env?: Record<string, string>;
}

export interface RestartPassResult {
  adapter: string;
  persistent: boolean;
  /** Exit codes of the first and second run after SIGTERM. */
  exitCodes: Array<number | null>;
  /** The x-cache header of each first read after the restart, in order. */
  xCache: string[];
  /** Every document read back equal to what was written. */
  bodiesMatch: boolean;
  /** Wall time of the reads after the restart. */
  readMs: number;
  /** /stats after those reads. */
  stats: Record<string, unknown>;
}

export async function restartPass(options: RestartPassOptions): Promise<RestartPassResult> {
  const env = {
    ...options.env,
    CACHE_ADAPTER: options.adapter,
    PMEM_DIR: join(options.work, 'pmem'),
    ORIGIN_DIR: join(options.work, 'origin'),
    ORIGIN_DELAY_MS: String(options.originDelayMs),
  };
  const docOf = (id: string) => ({ id, body: `document ${id}`, tags: ['restart'] });

  const first = await startService(env);
  const exitCodes: Array<number | null> = [];
  try {
    for (const id of options.ids) {
      const put = await http(first.url, 'PUT', docPath(id), JSON.stringify(docOf(id)));
      if (put.status !== 204) throw new Error(`PUT ${id} answered ${put.status}: ${put.body}`);
    }
  } finally {
    exitCodes.push(await first.stop('SIGTERM'));
  }

  const second = await startService(env);
  try {
    const xCache: string[] = [];
    let bodiesMatch = true;
    const started = performance.now();
    for (const id of options.ids) {
      const got = await http(second.url, 'GET', docPath(id));
      xCache.push(String(got.headers['x-cache']));
      bodiesMatch &&= got.status === 200 && JSON.stringify(got.json) === JSON.stringify(docOf(id));
    }
    const readMs = performance.now() - started;
    const stats = (await http(second.url, 'GET', '/stats')).json as Record<string, unknown>;
    const persistent = (stats.capabilities as { persistent: boolean }).persistent;
    return { adapter: options.adapter, persistent, exitCodes, xCache, bodiesMatch, readMs, stats };
  } finally {
    exitCodes.push(await second.stop('SIGTERM'));
  }
}
