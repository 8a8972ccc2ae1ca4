/**
 * The shared tier: one cache namespace in Redis (standalone or cluster), bounded by capacityBytes
 * and evicted in approximate LRU order by Lua scripts, so every mutation is one atomic round trip.
 *
 * Layout of a namespace `ns` = `{<keyPrefix><name>}` (the braces are a cluster hash tag: the whole
 * namespace lives in one hash slot, so the scripts may touch its keys together):
 *   ns:d:<key>  hash { v: version, j: JSON text }   one per document
 *   ns:lru      sorted set  key -> recency tick     every document, least recent first
 *   ns:meta     hash { tick, bytes, count }         bytes = UTF-8 bytes of keys and documents
 * Client-side tracking watches only the `ns:d:` prefix: recency and accounting churn on every
 * operation and must not invalidate anything.
 */
import { Cluster, Redis, type ChainableCommander, type RedisOptions } from 'ioredis';
import { CacheError } from '@pmem-modes/core';

/** Standalone or cluster: the calls this adapter makes exist on both. */
export type RedisClient = Redis | Cluster;

/** Either a redis:// URL or the seed nodes of a cluster. */
export type RedisTarget = string | { nodes: Array<string | { host: string; port: number }> };

/** Settings every connection of this adapter uses: fail fast while down, reconnect on its own. */
export const CONNECTION_OPTIONS = {
  lazyConnect: true,
  // A command sent while Redis is unreachable fails at once instead of waiting in a queue: the
  // caller gets ERR_REMOTE_UNAVAILABLE, and nothing is replayed behind its back later.
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 2000,
  commandTimeout: 5000,
  retryStrategy: (attempt: number) => Math.min(50 * attempt, 1000),
} satisfies RedisOptions;

/** Maps any failure of a Redis call to the one code callers see; the only place that does. */
export function remoteError(err: unknown, doing: string): CacheError {
  if (err instanceof CacheError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new CacheError(
    'ERR_REMOTE_UNAVAILABLE',
    `Redis did not complete ${doing} (${why}). Nothing was changed locally; retry once Redis is reachable (the client reconnects on its own).`,
    { cause: err },
  );
}

export function createClient(target: RedisTarget): RedisClient {
  if (typeof target === 'string') return new Redis(target, CONNECTION_OPTIONS);
  const { retryStrategy, enableOfflineQueue, ...perNode } = CONNECTION_OPTIONS;
  return new Cluster(target.nodes, {
    lazyConnect: true,
    enableOfflineQueue,
    clusterRetryStrategy: retryStrategy,
    redisOptions: perNode,
  });
}

// The scripts. KEYS are always [doc?, lru, meta]; victims are found by scanning the LRU set and
// live in the same hash slot, which is why the namespace is one hash tag.
// Accounting and eviction for a write; the document itself is written by an HSET in the same
// MULTI, because Redis 7.0 ignores NOLOOP for writes made inside scripts (this client would be
// told about its own write and drop what it just cached). Returns the evicted keys.
const ACCOUNT_SET_SCRIPT = `
local key, size, capacity, docPrefix = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local touches = #ARGV - 4
local tick = redis.call('HINCRBY', KEYS[3], 'tick', touches + 1) - touches
for i = 5, #ARGV do
  redis.call('ZADD', KEYS[2], 'XX', tick, ARGV[i])
  tick = tick + 1
end
local bytes = tonumber(redis.call('HGET', KEYS[3], 'bytes') or '0')
local count = tonumber(redis.call('HGET', KEYS[3], 'count') or '0')
local existed = redis.call('EXISTS', KEYS[1])
if existed == 1 then
  bytes = bytes - #key - redis.call('HSTRLEN', KEYS[1], 'j')
  redis.call('ZREM', KEYS[2], key)
else
  count = count + 1
end
local evicted = {}
while bytes + size > capacity do
  local popped = redis.call('ZPOPMIN', KEYS[2])
  if #popped == 0 then break end
  local victim = docPrefix .. popped[1]
  if redis.call('EXISTS', victim) == 1 then
    bytes = bytes - #popped[1] - redis.call('HSTRLEN', victim, 'j')
    count = count - 1
    evicted[#evicted + 1] = popped[1]
    redis.call('DEL', victim)
  end
end
redis.call('ZADD', KEYS[2], tick, key)
bytes = bytes + size
redis.call('HSET', KEYS[3], 'bytes', bytes, 'count', count)
return {existed, count, bytes, evicted}
`;

// Accounting for a delete; the DEL itself follows in the same MULTI (see above).
const ACCOUNT_DELETE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {0, tonumber(redis.call('HGET', KEYS[3], 'count') or '0'), tonumber(redis.call('HGET', KEYS[3], 'bytes') or '0')}
end
local size = #ARGV[1] + redis.call('HSTRLEN', KEYS[1], 'j')
redis.call('ZREM', KEYS[2], ARGV[1])
local count = redis.call('HINCRBY', KEYS[3], 'count', -1)
local bytes = redis.call('HINCRBY', KEYS[3], 'bytes', -size)
return {1, count, bytes}
`;

const CLEAR_SCRIPT = `
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local batch = {}
for i = 1, #members do
  batch[#batch + 1] = ARGV[1] .. members[i]
  if #batch == 500 then redis.call('DEL', unpack(batch)); batch = {} end
end
if #batch > 0 then redis.call('DEL', unpack(batch)) end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[2], 'bytes', 0, 'count', 0)
return #members
`;

// One call instead of a pipeline of HGETs: ioredis spends tens of microseconds per pipelined command.
const VERSIONS_SCRIPT = `
local out = {}
for i = 1, #KEYS do out[i] = redis.call('HGET', KEYS[i], 'v') or '' end
return out
`;

const TOUCH_SCRIPT = `
local tick = redis.call('HINCRBY', KEYS[2], 'tick', #ARGV) - #ARGV + 1
for i = 1, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', tick, ARGV[i])
  tick = tick + 1
end
return #ARGV
`;

/** What the namespace holds, as the last script this client ran reported it. */
export interface NamespaceUsage {
  count: number;
  bytes: number;
}

/** One namespace in Redis: the documents with their versions, their recency and their byte total. */
export class RemoteNamespace {
  /** Prefix of the document keys: what client-side tracking watches. */
  readonly docPrefix: string;
  readonly #lru: string;
  readonly #meta: string;

  constructor(
    readonly client: RedisClient,
    namespace: string,
  ) {
    this.docPrefix = `${namespace}:d:`;
    this.#lru = `${namespace}:lru`;
    this.#meta = `${namespace}:meta`;
    for (const [name, lua, keys] of [
      ['htAccountSet', ACCOUNT_SET_SCRIPT, 3],
      ['htAccountDelete', ACCOUNT_DELETE_SCRIPT, 3],
      ['htClear', CLEAR_SCRIPT, 2],
      ['htTouch', TOUCH_SCRIPT, 2],
    ] as const) {
      client.defineCommand(name, { lua, numberOfKeys: keys });
    }
    client.defineCommand('htVersions', { lua: VERSIONS_SCRIPT }); // the key count comes first
  }

  /** The version and JSON text of `key`, or undefined. One HMGET. */
  async read(key: string): Promise<{ version: string; json: string } | undefined> {
    const [version, json] = (await this.client.hmget(this.docPrefix + key, 'v', 'j')) as Array<string | null>;
    return version == null || json == null ? undefined : { version, json };
  }

  /** The current version of each key (undefined where absent), in one script call. */
  async versions(keys: readonly string[]): Promise<Array<string | undefined>> {
    if (keys.length === 0) return [];
    const replies = (await this.call('htVersions', keys.length, ...keys.map((k) => this.docPrefix + k))) as string[];
    return replies.map((v) => (v === '' ? undefined : v));
  }

  /**
   * Stores the document (`size`: UTF-8 bytes of key and JSON) under a new version, evicting least
   * recently used documents to stay within `capacity` (the caller checked that the document fits
   * at all); `touched` are keys read since the last write, refreshed first so eviction sees their
   * recency. One MULTI round trip.
   */
  async write(key: string, version: string, json: string, size: number, capacity: number, touched: readonly string[]): Promise<{ evicted: string[]; usage: NamespaceUsage }> {
    const docKey = this.docPrefix + key;
    const multi = this.client.multi();
    this.queue(multi, 'htAccountSet', docKey, this.#lru, this.#meta, key, size, capacity, this.docPrefix, ...touched);
    multi.hset(docKey, 'v', version, 'j', json);
    const [, count, bytes, evicted] = (await this.exec(multi))[0] as [number, number, number, string[]];
    return { evicted, usage: { count, bytes } };
  }

  async remove(key: string): Promise<{ removed: boolean; usage: NamespaceUsage }> {
    const docKey = this.docPrefix + key;
    const multi = this.client.multi();
    this.queue(multi, 'htAccountDelete', docKey, this.#lru, this.#meta, key);
    multi.del(docKey);
    const [removed, count, bytes] = (await this.exec(multi))[0] as number[];
    return { removed: removed === 1, usage: { count: count!, bytes: bytes! } };
  }

  async clear(): Promise<void> {
    await this.call('htClear', this.#lru, this.#meta, this.docPrefix);
  }

  /** Refreshes the recency of keys served from the local tier, which Redis did not see. */
  async touch(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.call('htTouch', this.#lru, this.#meta, ...keys);
  }

  async has(key: string): Promise<boolean> {
    return (await this.client.exists(this.docPrefix + key)) === 1;
  }

  /** Every key of the namespace (the LRU set lists them all). */
  async keys(): Promise<string[]> {
    return this.client.zrange(this.#lru, '0', '-1');
  }

  async usage(): Promise<NamespaceUsage> {
    const [count, bytes] = await this.client.hmget(this.#meta, 'count', 'bytes');
    return { count: Number(count ?? 0), bytes: Number(bytes ?? 0) };
  }

  private queue(multi: ChainableCommander, name: string, ...args: Array<string | number>): void {
    (multi as unknown as Record<string, (...a: Array<string | number>) => unknown>)[name]!(...args);
  }

  /** The replies of a MULTI, throwing the first command error. */
  private async exec(multi: ChainableCommander): Promise<unknown[]> {
    const replies = await multi.exec();
    if (!replies) throw new Error('the transaction was aborted');
    return replies.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
  }

  private call(name: string, ...args: Array<string | number>): Promise<unknown> {
    return (this.client as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>)[name]!(...args);
  }
}
