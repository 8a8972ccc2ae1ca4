/**
 * Peer: Redis over loopback (ioredis), the usual shared cache, behind the same DocumentCache
 * contract. Documents are JSON strings under `pmem-modes:<dir>:<name>:<key>`. Like the other adapters the
 * cache is bounded by `capacityBytes`: a client-side LRU index (rebuilt with SCAN on open) picks the
 * victims, deleted in the same pipeline as the write. The index is exact for one client; with
 * several writers Redis's own `maxmemory` policy is the real bound. A cache is identified by its
 * `dir` and `name`, like every adapter's: both are part of the key prefix. Durability is the
 * server's (the comparison app starts it without RDB or AOF: documents survive a client restart,
 * not the server's).
 */
import { Redis } from 'ioredis';
import {
  CacheError,
  IndexedCacheBase,
  checkKnownOptions,
  resolveDir,
  resolveLimits,
  type Capabilities,
  type CacheOptions,
  type DocumentCache,
  type Medium,
} from '@pmem-modes/core';

export interface RedisPeerOptions extends CacheOptions {
  /** Server URL. Default: the `REDIS_URL` environment variable, else `redis://127.0.0.1:6379`. */
  url?: string;
}

export const ADAPTER = 'redis';

// Documents outlive a client's close and reopen: they live in the server. Whether they outlive the
// server is its configuration (the comparison app's server keeps nothing on disk).
const CAPABILITIES: Capabilities = Object.freeze({
  persistent: true,
  crashConsistent: false,
  evicts: true,
  sync: false,
  exclusive: false,
  shared: true,
});

const CONNECT_TIMEOUT_MS = 3000;

class RedisCache extends IndexedCacheBase {
  readonly adapter = ADAPTER;
  readonly capabilities = CAPABILITIES;
  readonly medium: Medium;
  #redis: Redis;
  #prefix: string;

  constructor(redis: Redis, url: string, dir: string, limits: ReturnType<typeof resolveLimits>) {
    super(limits);
    this.#redis = redis;
    this.#prefix = `pmem-modes:${dir}:${limits.name}:`;
    this.medium = Object.freeze({ kind: 'remote', description: `Redis at ${url}: another process over TCP, shared by every client` });
  }

  /** Loads the sizes of the keys already on the server into the LRU index. */
  async loadIndex(): Promise<void> {
    let cursor = '0';
    do {
      const [next, found] = await this.#redis.scan(cursor, 'MATCH', `${this.#prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
      cursor = next;
      if (found.length === 0) continue;
      const pipeline = this.#redis.pipeline();
      for (const k of found) pipeline.strlen(k);
      const lengths = (await pipeline.exec()) ?? [];
      found.forEach((k, i) => {
        const key = k.slice(this.#prefix.length);
        this.index.set(key, { size: Buffer.byteLength(key) + Number(lengths[i]?.[1] ?? 0) });
      });
    } while (cursor !== '0');
  }

  protected async readRaw(key: string): Promise<string | undefined> {
    const json = await this.#redis.get(this.#prefix + key);
    if (json === null) return undefined;
    this.index.touch(key);
    return json;
  }

  protected async writeRaw(key: string, json: string, bytes: number): Promise<void> {
    const size = Buffer.byteLength(key) + bytes;
    const victims = this.victimsFor(key, size);
    if (victims.length === 0) {
      await this.#redis.set(this.#prefix + key, json);
    } else {
      const multi = this.#redis.multi();
      for (const victim of victims) multi.del(this.#prefix + victim);
      multi.set(this.#prefix + key, json);
      await multi.exec();
    }
    this.evicted(victims);
    this.index.set(key, { size });
  }

  protected async removeRaw(key: string): Promise<boolean> {
    this.index.delete(key);
    return (await this.#redis.del(this.#prefix + key)) > 0;
  }

  protected async clearRaw(): Promise<void> {
    const keys = this.index.keys();
    for (let i = 0; i < keys.length; i += 1000) await this.#redis.del(...keys.slice(i, i + 1000).map((k) => this.#prefix + k));
    this.index.clear();
  }

  protected async closeRaw(): Promise<void> {
    this.index.clear();
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}

export async function openCache(options: RedisPeerOptions = {}): Promise<DocumentCache> {
  checkKnownOptions(ADAPTER, options, ['dir', 'name', 'capacityBytes', 'maxDocBytes', 'url']);
  const limits = resolveLimits(options);
  const url = options.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null });
  // Failures reach callers as rejected commands; without a listener ioredis also logs each one.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (cause) {
    redis.disconnect();
    throw new CacheError('ERR_REMOTE_UNAVAILABLE', `Cannot reach Redis at ${url} (${(cause as Error).message}). Start redis-server or pass the url option.`, { cause });
  }
  const cache = new RedisCache(redis, url, resolveDir(options.dir), limits);
  await cache.loadIndex();
  return cache;
}
