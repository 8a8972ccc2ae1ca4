/** A document: any JSON value. It is stored as its JSON text and read back as a fresh copy. */
export type Doc = null | boolean | number | string | Doc[] | { [key: string]: Doc };

/**
 * What an adapter can do. The conformance suite reads these flags from a fresh instance and runs
 * the sections that apply.
 */
export interface Capabilities {
  /** Documents survive `close()` and a reopen of the same `dir` and `name`. */
  readonly persistent: boolean;
  /** Every acknowledged `set`/`delete` survives SIGKILL of the process, and no document is torn. */
  readonly crashConsistent: boolean;
  /** The cache is bounded and evicts (approximately LRU) to make room. */
  readonly evicts: boolean;
  /** `getSync`/`setSync` are offered (in-process data). */
  readonly sync: boolean;
  /** A second opener of the same data, in this process or another, gets `ERR_POOL_LOCKED`. */
  readonly exclusive: boolean;
  /** Data is shared with other processes or machines through a remote tier. */
  readonly shared: boolean;
}

/** Where the documents live. Detected from the mount table, never assumed. */
export interface Medium {
  /**
   * - `dram`: the process heap;
   * - `dax`: a filesystem mounted with DAX (real persistent memory or CXL memory);
   * - `emulated`: tmpfs (e.g. /dev/shm) standing in for a DAX filesystem: DRAM, lost on power loss;
   * - `disk`: any other filesystem (block storage through the page cache);
   * - `remote`: another process over the network (e.g. Redis).
   */
  readonly kind: 'dram' | 'dax' | 'emulated' | 'disk' | 'remote';
  /** The file or directory that holds the data, when there is one. */
  readonly path?: string;
  /** Filesystem type and mount point, from /proc/self/mountinfo. */
  readonly filesystem?: string;
  /** The mount point of that filesystem. */
  readonly mountPoint?: string;
  /** One line for people: what this is and what it does not give. */
  readonly description: string;
}

/** A snapshot of a cache's contents and counters, from {@link DocumentCache.stats}. */
export interface CacheStats {
  /** Documents held now. */
  readonly count: number;
  /** Bytes the documents and their keys take, as the adapter accounts them (see its docs). */
  readonly bytesUsed: number;
  /** The bound `bytesUsed` is kept under. */
  readonly capacityBytes: number;
  /** `get`/`getSync` calls that found a document since open. */
  readonly hits: number;
  /** `get`/`getSync` calls that found nothing since open. */
  readonly misses: number;
  /** Documents evicted to make room since open. */
  readonly evictions: number;
  /** Where the documents live, detected (not assumed). */
  readonly medium: Medium;
}

/** Options every adapter accepts. Adapters add their own. */
export interface CacheOptions {
  /**
   * Directory that holds the data (a DAX mount for real persistent memory).
   * Default: `PMEM_DIR`, else the emulated pmem directory `/dev/shm/pmem-modes`.
   */
  dir?: string;
  /** Name of this cache inside `dir`; several caches can share a directory. Default `default`. */
  name?: string;
  /** Bound on the bytes held (documents and keys). Default 64 MiB. */
  capacityBytes?: number;
  /** Largest encoded document accepted, in bytes. Default 1 MiB (never more than capacityBytes). */
  maxDocBytes?: number;
}

/**
 * The contract every adapter implements: a bounded store of JSON documents by string key.
 * Obtained from an adapter package's `openCache()`. Every failure is a {@link CacheError}.
 */
export interface DocumentCache {
  /** The adapter's name, e.g. `dram`, `storage-files`, `app-direct`. */
  readonly adapter: string;
  /** What this adapter guarantees (persistence, crash consistency, sync calls...). */
  readonly capabilities: Capabilities;
  /** A fresh copy of the document, or undefined. */
  get(key: string): Promise<Doc | undefined>;
  /** Stores the document. On a persistent adapter it is durable once the promise resolves. */
  set(key: string, doc: Doc): Promise<void>;
  /** True when a document was removed. */
  delete(key: string): Promise<boolean>;
  /** True when a document is stored under `key` (does not count as a hit or a miss). */
  has(key: string): Promise<boolean>;
  /** The keys present when iteration starts. */
  keys(): AsyncIterable<string>;
  /** Removes every document. */
  clear(): Promise<void>;
  /** Counts, bytes, hits, misses, evictions and the medium, as of now. */
  stats(): CacheStats;
  /** Idempotent. Every later call fails with `ERR_CLOSED`. */
  close(): Promise<void>;
  /** Synchronous get, where `capabilities.sync`; else throws `ERR_NOT_SUPPORTED`. */
  getSync(key: string): Doc | undefined;
  /** Synchronous set, where `capabilities.sync`; else throws `ERR_NOT_SUPPORTED`. */
  setSync(key: string, doc: Doc): void;
}

/** What every adapter package exports. */
export type OpenCache<O extends CacheOptions = CacheOptions> = (options?: O) => Promise<DocumentCache>;
