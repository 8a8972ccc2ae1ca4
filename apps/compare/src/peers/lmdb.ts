/**
 * Peer: lmdb-js, what a Node user would reach for as an embedded persistent store, behind the same
 * DocumentCache contract. Documents are JSON text in one LMDB environment at
 * `join(dir, 'lmdb-<name>')`, every write committed synchronously (durable on return, like the
 * persistent adapters). LMDB has no eviction of its own: a DRAM LRU index, rebuilt from the
 * database on open, bounds the bytes like the JavaScript adapters do (recency is not persisted).
 */
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import {
  CacheError,
  IndexedCacheBase,
  checkKnownOptions,
  detectMedium,
  prepareDir,
  resolveDir,
  resolveLimits,
  type Capabilities,
  type CacheOptions,
  type DocumentCache,
  type Medium,
} from '@pmem-modes/core';

/** The shared options only: the environment lives in `dir` (default PMEM_DIR, else /dev/shm). */
export type LmdbPeerOptions = CacheOptions;

export const ADAPTER = 'lmdb';

const CAPABILITIES: Capabilities = Object.freeze({
  persistent: true,
  crashConsistent: true,
  evicts: true,
  sync: true,
  exclusive: false,
  shared: false,
});

/** LMDB reserves its map up front; this much beyond capacityBytes leaves room for pages and the free list. */
const MAP_SLACK_BYTES = 64 * 1024 * 1024;

class LmdbCache extends IndexedCacheBase {
  readonly adapter = ADAPTER;
  readonly capabilities = CAPABILITIES;
  readonly medium: Medium;
  #db: RootDatabase<string, Buffer>;

  constructor(db: RootDatabase<string, Buffer>, medium: Medium, limits: ReturnType<typeof resolveLimits>) {
    super(limits);
    this.#db = db;
    this.medium = medium;
    // lmdb-js shares one environment per path in a process and reuses its read transaction until
    // the next event turn: start from the latest snapshot, which another process (one that was
    // killed, say) may have committed since.
    db.resetReadTxn();
    for (const { key, value } of db.getRange({})) {
      const k = (key as Buffer).toString('utf8');
      this.index.set(k, { size: Buffer.byteLength(k) + Buffer.byteLength(value) });
    }
  }

  protected readRaw(key: string): string | undefined {
    const json = this.#db.get(Buffer.from(key, 'utf8'));
    if (json !== undefined) this.index.touch(key);
    return json;
  }

  protected writeRaw(key: string, json: string, bytes: number): void {
    const size = Buffer.byteLength(key) + bytes;
    const victims = this.victimsFor(key, size);
    // One synchronous transaction: the evictions and the write commit together, durably.
    this.#db.transactionSync(() => {
      for (const victim of victims) this.#db.removeSync(Buffer.from(victim, 'utf8'));
      this.#db.putSync(Buffer.from(key, 'utf8'), json);
    });
    this.evicted(victims);
    this.index.set(key, { size });
  }

  protected removeRaw(key: string): boolean {
    const removed = this.#db.removeSync(Buffer.from(key, 'utf8'));
    this.index.delete(key);
    return removed;
  }

  protected clearRaw(): void {
    this.#db.clearSync();
    this.index.clear();
  }

  protected async closeRaw(): Promise<void> {
    this.index.clear();
    await this.#db.close();
  }
}

export async function openCache(options: LmdbPeerOptions = {}): Promise<DocumentCache> {
  checkKnownOptions(ADAPTER, options, ['dir', 'name', 'capacityBytes', 'maxDocBytes']);
  const limits = resolveLimits(options);
  const dir = prepareDir(resolveDir(options.dir));
  const path = join(dir, `${ADAPTER}-${limits.name}`);
  let db: RootDatabase<string, Buffer>;
  try {
    db = open<string, Buffer>({
      path,
      encoding: 'string',
      keyEncoding: 'binary',
      compression: false,
      // lmdb-js defaults to overlappingSync on Linux: a commit returns before its flush. Off, every
      // commit is flushed when putSync returns, the promise the persistent adapters make.
      overlappingSync: false,
      mapSize: limits.capacityBytes * 2 + MAP_SLACK_BYTES,
    });
  } catch (cause) {
    throw new CacheError('ERR_POOL_CORRUPT', `lmdb could not open ${path}: ${(cause as Error).message}. Remove the file to start empty.`, { cause });
  }
  return new LmdbCache(db, detectMedium(path), limits);
}

