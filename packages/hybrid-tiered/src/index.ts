/**
 * hybrid-tiered: a local tier (app-direct persistent memory by default, warm across restarts) in
 * front of a Redis namespace that many processes and machines share.
 *
 * Redis holds the truth: every document with a version, bounded by capacityBytes with LRU
 * eviction. `set`/`delete` go to Redis first, then to the local tier; `get` serves the local tier
 * only while it is known coherent (tracking up and revalidated since the last loss), else reads
 * Redis and fills the local tier. See docs/hybrid-tiered.md for the protocol and its costs.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  CacheBase,
  CacheError,
  capacityError,
  checkKnownOptions,
  prepareDir,
  resolveDir,
  resolveLimits,
  checkKey,
  type Capabilities,
  type CacheOptions,
  type CacheStats,
  type Doc,
  type DocumentCache,
  type Medium,
  type OpenCache,
  type Usage,
} from '@pmem-modes/core';
import { createClient, remoteError, RemoteNamespace, type NamespaceUsage, type RedisClient, type RedisTarget } from './remote.js';
import { InvalidationTracker } from './tracking.js';
import { FlightTable, type Flight } from './flights.js';
import { decodeLocalEntry, encodeLocalEntry } from './local-entry.js';

export type { RedisTarget } from './remote.js';

/** The shared options, plus the remote tier and the local adapter. */
export interface HybridTieredOptions extends CacheOptions {
  /**
   * The shared Redis: a `redis://` URL, or `{ nodes: ['redis://host:port', ...] }` for a cluster.
   * Default: the `REDIS_URL` environment variable, else `redis://127.0.0.1:6379`.
   */
  redis?: RedisTarget;
  /**
   * Prefix of this adapter's Redis keys; with `name` it names the shared namespace: caches with the
   * same prefix and name share their documents. No braces (the namespace is one cluster hash tag).
   * Default `pmem-modes:`.
   */
  keyPrefix?: string;
  /** Module of the local tier: any pmem-modes adapter. Default `@pmem-modes/app-direct`. */
  local?: string;
  /**
   * Options of the local tier, over the defaults: `dir` = this cache's data directory, `name`
   * `local`, `capacityBytes` 1/8 above this cache's (room for the versions), `maxDocBytes` to match.
   */
  localOptions?: Record<string, unknown>;
}

/** This adapter's name: `cache.adapter`, and the prefix of its data in `dir`. */
export const ADAPTER = 'hybrid-tiered';

/** The local tier's adapter package when the options name none. */
export const DEFAULT_LOCAL = '@pmem-modes/app-direct';
/** The prefix of this adapter's keys in Redis when the options name none. */
export const DEFAULT_KEY_PREFIX = 'pmem-modes:';
/** Bytes a local entry adds to its document: the version and the array around them. */
const LOCAL_ENTRY_OVERHEAD = 64;
/** Keys checked per pipeline when the local tier is revalidated. */
const REVALIDATE_BATCH = 512;
/** Local hits are reported to Redis's LRU in batches: at most this many, at most a second late. */
const TOUCH_BATCH = 512;
const TOUCH_DELAY_MS = 1000;

/** What the tiers did since open: the figures the docs and the benchmark report. */
export interface TierStats {
  /** `get`s served from the local tier without asking Redis. */
  localHits: number;
  /** `get`s that read Redis (local miss, or local tier not trusted at that moment). */
  remoteReads: number;
  /** Documents written into the local tier after a Redis read. */
  fills: number;
  /** Keys invalidated by other clients' writes (or flushes). */
  invalidations: number;
  /** Times tracking was lost (disconnects, topology changes). */
  trackingLosses: number;
  /** The last revalidation of the local tier: entries checked, dropped as stale, milliseconds. */
  lastRevalidation: { checked: number; dropped: number; ms: number };
}

class HybridTieredCache extends CacheBase {
  readonly adapter = ADAPTER;
  readonly capabilities: Capabilities;
  readonly medium: Medium;

  readonly #local: DocumentCache;
  readonly #remote: RemoteNamespace;
  readonly #tracker: InvalidationTracker;
  readonly #flights = new FlightTable();
  readonly #versionPrefix = `${randomBytes(8).toString('base64url')}.`;
  #versionCounter = 0;
  /** The tracking epoch the local tier was last revalidated in; trusted only while it is current. */
  #trustedEpoch = -1;
  #usage: NamespaceUsage = { count: 0, bytes: 0 };
  #evictions = 0;
  /** Hits served by the `get` fast path, which CacheBase did not see. */
  #fastHits = 0;
  #touched = new Set<string>();
  #touchTimer: NodeJS.Timeout | undefined;
  #tier: TierStats = { localHits: 0, remoteReads: 0, fills: 0, invalidations: 0, trackingLosses: 0, lastRevalidation: { checked: 0, dropped: 0, ms: 0 } };

  constructor(limits: ReturnType<typeof resolveLimits>, local: DocumentCache, client: RedisClient, namespace: string, where: string) {
    super(limits);
    this.#local = local;
    this.#remote = new RemoteNamespace(client, namespace);
    this.#tracker = new InvalidationTracker(client, this.#remote.docPrefix, {
      invalidate: (keys) => this.onInvalidate(keys),
      lost: () => void this.#tier.trackingLosses++,
      restored: (epoch) => void this.revalidateInBackground(epoch),
    });
    this.capabilities = Object.freeze({
      persistent: true,
      crashConsistent: true,
      evicts: true,
      sync: false,
      exclusive: local.capabilities.exclusive,
      shared: true,
    });
    const localMedium = local.stats().medium;
    this.medium = Object.freeze({ ...localMedium, description: `local tier: ${localMedium.description}; shared tier: Redis at ${where}` });
  }

  /** Connects, sets tracking up, then revalidates the local tier: only then may it serve. */
  async start(): Promise<void> {
    await this.#remote.client.connect();
    await this.#tracker.start();
    this.#usage = await this.#remote.usage();
    await this.revalidate(this.#tracker.epoch);
  }

  tierStats(): TierStats {
    this.assertOpen();
    return { ...this.#tier, lastRevalidation: { ...this.#tier.lastRevalidation } };
  }

  /**
   * The hot path: a trusted local hit on a synchronous local tier returns the document the local
   * tier just decoded, with no Redis call and no second JSON parse. Everything else goes through
   * CacheBase (checks, then readRaw).
   */
  override async get(key: string): Promise<Doc | undefined> {
    if (this.trusted && this.#local.capabilities.sync && !this.closed) {
      checkKey(key);
      const hit = decodeLocalEntry(this.#local.getSync(key));
      if (hit !== undefined) {
        this.#tier.localHits++;
        this.#fastHits++;
        this.touchLater(key);
        return hit.doc;
      }
    }
    return super.get(key);
  }

  /** CacheBase counts the hits it served; the local hits served by `get` above are added here. */
  override stats(): CacheStats {
    const stats = super.stats();
    return { ...stats, hits: stats.hits + this.#fastHits };
  }

  private get trusted(): boolean {
    return this.#tracker.up && this.#trustedEpoch === this.#tracker.epoch;
  }

  protected async readRaw(key: string): Promise<string | undefined> {
    if (this.trusted) {
      // Reached with a synchronous local tier only after `get`'s fast path missed (or from has()).
      const hit = this.#local.capabilities.sync ? undefined : await this.readLocal(key);
      if (hit !== undefined) {
        this.#tier.localHits++;
        this.touchLater(key);
        return JSON.stringify(hit.doc);
      }
    }
    const flight = this.begin(key);
    let found: Awaited<ReturnType<RemoteNamespace['read']>>;
    try {
      found = await this.#remote.read(key);
    } catch (err) {
      this.#flights.end(flight, this.#tracker.epoch);
      throw remoteError(err, `get(${JSON.stringify(key.slice(0, 40))})`);
    }
    this.#tier.remoteReads++;
    if (this.end(flight)) {
      if (found) {
        this.writeLocal(key, found.version, found.json);
        this.#tier.fills++;
      } else {
        this.dropLocal(key);
      }
    }
    if (found) this.touchLater(key);
    return found?.json;
  }

  protected async writeRaw(key: string, json: string, bytes: number): Promise<void> {
    const size = Buffer.byteLength(key) + bytes;
    if (size > this.limits.capacityBytes) throw capacityError(size, this.limits.capacityBytes);
    const version = `${this.#versionPrefix}${(++this.#versionCounter).toString(36)}`;
    // Reads of this key already in flight predate this write: they must not fill after it.
    this.#flights.changed(key);
    const flight = this.begin(key);
    let result: Awaited<ReturnType<RemoteNamespace['write']>>;
    try {
      result = await this.#remote.write(key, version, json, size, this.limits.capacityBytes, this.takeTouches());
    } catch (err) {
      this.#flights.end(flight, this.#tracker.epoch);
      this.afterAmbiguousFailure(key);
      throw remoteError(err, `set(${JSON.stringify(key.slice(0, 40))})`);
    }
    this.#usage = result.usage;
    this.#evictions += result.evicted.length;
    // Redis may or may not tell this client about its own evictions: drop them here either way.
    for (const victim of result.evicted) {
      this.#flights.changed(victim);
      this.dropLocal(victim);
    }
    if (this.end(flight)) this.writeLocal(key, version, json);
    else this.dropLocal(key);
  }

  protected async removeRaw(key: string): Promise<boolean> {
    this.#flights.changed(key);
    let result: Awaited<ReturnType<RemoteNamespace['remove']>>;
    try {
      result = await this.#remote.remove(key);
    } catch (err) {
      this.afterAmbiguousFailure(key);
      throw remoteError(err, `delete(${JSON.stringify(key.slice(0, 40))})`);
    }
    this.#usage = result.usage;
    this.dropLocal(key);
    return result.removed;
  }

  protected async hasRaw(key: string): Promise<boolean> {
    if (this.trusted && (await this.readLocal(key)) !== undefined) return true;
    try {
      return await this.#remote.has(key);
    } catch (err) {
      throw remoteError(err, 'has()');
    }
  }

  protected async listRaw(): Promise<string[]> {
    try {
      return await this.#remote.keys();
    } catch (err) {
      throw remoteError(err, 'keys()');
    }
  }

  protected async clearRaw(): Promise<void> {
    this.#flights.changedAll();
    try {
      await this.#remote.clear();
    } catch (err) {
      throw remoteError(err, 'clear()');
    }
    this.#usage = { count: 0, bytes: 0 };
    await this.#local.clear();
  }

  protected usage(): Usage {
    return { count: this.#usage.count, bytesUsed: this.#usage.bytes, capacityBytes: this.limits.capacityBytes, evictions: this.#evictions };
  }

  protected async closeRaw(): Promise<void> {
    clearTimeout(this.#touchTimer);
    await this.#remote.touch(this.takeTouches()).catch(() => undefined);
    await this.#tracker.close();
    await this.#remote.client.quit().catch(() => this.#remote.client.disconnect());
    await this.#local.close();
  }

  // --- coherence -------------------------------------------------------------------------------

  private begin(key: string): Flight {
    return this.#flights.begin(key, this.trusted ? this.#tracker.epoch : -1);
  }

  /** True when the flight may write the local tier: trusted throughout and nothing changed. */
  private end(flight: Flight): boolean {
    return this.#flights.end(flight, this.trusted ? this.#tracker.epoch : -2);
  }

  private onInvalidate(keys: string[] | null): void {
    if (keys === null) {
      this.#flights.changedAll();
      this.#tier.invalidations++;
      void this.#local.clear().catch(() => this.distrust());
      return;
    }
    this.#tier.invalidations += keys.length;
    for (const key of keys) {
      this.#flights.changed(key);
      this.dropLocal(key);
    }
  }

  /**
   * A write that failed without losing the connection (a timeout) may still have reached Redis,
   * and NOLOOP means no invalidation will say so: the local copy of that key can no longer be
   * trusted. When the connection was lost, revalidation sorts it out and the local tier stays as it was.
   */
  private afterAmbiguousFailure(key: string): void {
    if (this.#tracker.up) this.dropLocal(key);
  }

  /** Stops serving the local tier until the next revalidation (used when the local tier misbehaves). */
  private distrust(): void {
    this.#trustedEpoch = -1;
    void this.revalidateInBackground(this.#tracker.epoch);
  }

  private async revalidateInBackground(epoch: number): Promise<void> {
    while (!this.closed && epoch === this.#tracker.epoch && !this.trusted) {
      try {
        await this.revalidate(epoch);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /**
   * Compares every local entry's version with Redis's and drops those that differ; trusts the
   * local tier if tracking held throughout. Tracking is already on, so a change after a version
   * was read still arrives as an invalidation.
   */
  private async revalidate(epoch: number): Promise<void> {
    const started = performance.now();
    const keys: string[] = [];
    for await (const key of this.#local.keys()) keys.push(key);
    let dropped = 0;
    for (let i = 0; i < keys.length; i += REVALIDATE_BATCH) {
      const batch = keys.slice(i, i + REVALIDATE_BATCH);
      const entries: Array<{ version: string } | undefined> = [];
      for (const k of batch) entries.push(decodeLocalEntry(this.#local.capabilities.sync ? this.#local.getSync(k) : await this.#local.get(k)));
      const versions = await this.#remote.versions(batch);
      for (let j = 0; j < batch.length; j++) {
        if (entries[j] === undefined || entries[j]!.version !== versions[j]) {
          this.dropLocal(batch[j]!);
          dropped++;
        }
      }
      if (epoch !== this.#tracker.epoch || this.closed) return;
    }
    if (this.#tracker.up && epoch === this.#tracker.epoch) this.#trustedEpoch = epoch;
    this.#tier.lastRevalidation = { checked: keys.length, dropped, ms: performance.now() - started };
  }

  // --- the local tier ---------------------------------------------------------------------------

  /** The local entry of `key`, or undefined. */
  private async readLocal(key: string): Promise<{ version: string; doc: Doc } | undefined> {
    if (this.#local.capabilities.sync) return decodeLocalEntry(this.#local.getSync(key));
    // An asynchronous local tier answers later: a change meanwhile makes its answer unusable.
    const flight = this.#flights.begin(key, this.#tracker.epoch);
    const entry = decodeLocalEntry(await this.#local.get(key));
    return this.#flights.end(flight, this.trusted ? this.#tracker.epoch : -2) ? entry : undefined;
  }

  /** Stores a version in the local tier; one that does not fit there is simply not cached locally. */
  private writeLocal(key: string, version: string, json: string): void {
    const entry = encodeLocalEntry(version, JSON.parse(json) as Doc);
    if (this.#local.capabilities.sync) {
      try {
        this.#local.setSync(key, entry);
      } catch {
        this.dropLocal(key);
      }
      return;
    }
    this.#local.set(key, entry).catch(() => this.dropLocal(key));
  }

  private dropLocal(key: string): void {
    // Sync tiers delete before this returns; async ones queue it before any later write of the key.
    this.#local.delete(key).catch(() => this.distrust());
  }

  // --- recency ----------------------------------------------------------------------------------

  /** Redis's LRU did not see this read: tell it with the next write, or within a second. */
  private touchLater(key: string): void {
    this.#touched.add(key);
    if (this.#touched.size >= TOUCH_BATCH) {
      void this.#remote.touch(this.takeTouches()).catch(() => undefined);
    } else {
      this.#touchTimer ??= setTimeout(() => {
        this.#touchTimer = undefined;
        void this.#remote.touch(this.takeTouches()).catch(() => undefined);
      }, TOUCH_DELAY_MS).unref();
    }
  }

  private takeTouches(): string[] {
    const keys = [...this.#touched];
    this.#touched.clear();
    return keys;
  }
}

function checkOptions(options: HybridTieredOptions): void {
  checkKnownOptions(ADAPTER, options, ['dir', 'name', 'capacityBytes', 'maxDocBytes', 'redis', 'keyPrefix', 'local', 'localOptions']);
  const { redis, keyPrefix, local, localOptions } = options;
  const nodes = typeof redis === 'object' && redis !== null ? (redis as { nodes?: unknown }).nodes : undefined;
  if (redis !== undefined && !(typeof redis === 'string' && /^rediss?:\/\//.test(redis)) && !(Array.isArray(nodes) && nodes.length > 0)) {
    throw new CacheError('ERR_INVALID_OPTION', `Option redis must be a redis:// URL or { nodes: [...] } for a cluster, got ${JSON.stringify(redis)}.`);
  }
  if (keyPrefix !== undefined && (typeof keyPrefix !== 'string' || keyPrefix.length > 128 || /[{}]/.test(keyPrefix))) {
    throw new CacheError('ERR_INVALID_OPTION', 'Option keyPrefix must be a string of at most 128 characters without { or } (the namespace is one cluster hash tag).');
  }
  if (local !== undefined && (typeof local !== 'string' || local.length === 0)) {
    throw new CacheError('ERR_INVALID_OPTION', `Option local must name an adapter module, e.g. '${DEFAULT_LOCAL}' or '@pmem-modes/dram'.`);
  }
  if (localOptions !== undefined && (typeof localOptions !== 'object' || localOptions === null || Array.isArray(localOptions))) {
    throw new CacheError('ERR_INVALID_OPTION', 'Option localOptions must be an object of the local adapter\'s options.');
  }
}

async function openLocalTier(module: string, options: Record<string, unknown>): Promise<DocumentCache> {
  let openLocal: OpenCache;
  try {
    ({ openCache: openLocal } = (await import(module)) as { openCache: OpenCache });
  } catch (cause) {
    throw new CacheError(
      'ERR_NATIVE_UNAVAILABLE',
      `The local tier ${module} cannot be loaded (${(cause as Error).message.split('\n')[0]}). Install it (npm install ${module}) or pick another with the local option, e.g. '@pmem-modes/dram'.`,
      { cause },
    );
  }
  return openLocal(options);
}

/** Opens the local tier and connects to Redis (`redis` option, else `REDIS_URL`); rejects `ERR_REMOTE_UNAVAILABLE` when Redis cannot be reached. */
export async function openCache(options: HybridTieredOptions = {}): Promise<DocumentCache> {
  checkOptions(options);
  const limits = resolveLimits(options);
  const dataDir = join(prepareDir(resolveDir(options.dir)), `${ADAPTER}-${limits.name}`);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw new CacheError('ERR_DIR_UNUSABLE', `Cannot create ${dataDir} (${(cause as NodeJS.ErrnoException).code}). Check the directory's permissions.`, { cause });
  }
  const target = options.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  // The local tier holds what Redis holds plus a version per document.
  const localCapacity = Math.ceil(limits.capacityBytes * 1.125) + LOCAL_ENTRY_OVERHEAD;
  const local = await openLocalTier(options.local ?? DEFAULT_LOCAL, {
    dir: dataDir,
    name: 'local',
    capacityBytes: localCapacity,
    maxDocBytes: Math.min(localCapacity, limits.maxDocBytes + LOCAL_ENTRY_OVERHEAD),
    ...options.localOptions,
  });
  const where = typeof target === 'string' ? target.replace(/\/\/[^@/]*@/, '//') : `cluster ${target.nodes.length} seed nodes`;
  let cache: HybridTieredCache;
  try {
    const client = createClient(target);
    client.on('error', () => undefined); // every failure also surfaces as a rejected command or 'close'
    cache = new HybridTieredCache(limits, local, client, `{${options.keyPrefix ?? DEFAULT_KEY_PREFIX}${limits.name}}`, where);
  } catch (err) {
    await local.close();
    throw remoteError(err, `the connection to ${where}`);
  }
  try {
    await cache.start();
  } catch (err) {
    await cache.close().catch(() => undefined); // releases the local tier too
    throw remoteError(err, `the connection to ${where}`);
  }
  return cache;
}

/** The tier counters of a cache opened by this module (for benchmarks and diagnostics). */
export function tierStats(cache: DocumentCache): TierStats {
  if (!(cache instanceof HybridTieredCache)) throw new CacheError('ERR_NOT_SUPPORTED', `tierStats() takes a ${ADAPTER} cache, got ${cache.adapter}.`);
  return cache.tierStats();
}
