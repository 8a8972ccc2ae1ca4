import { CacheBase, type Usage } from './base.js';
import { capacityError } from './errors.js';
import { LruIndex } from './lru.js';

/** What an indexed adapter keeps in DRAM per key: at least the bytes it counts against capacity. */
export interface IndexEntry {
  /** Bytes of key and document, counted against capacityBytes. */
  readonly size: number;
}

/**
 * A {@link CacheBase} for adapters that keep a DRAM {@link LruIndex} (key -> size, in recency
 * order) beside the store that holds the documents (files, a SQLite table, a Map). Presence,
 * listing, byte accounting, eviction counting and the choice of victims come from the index, so
 * the adapter's primitives only read, write and remove in its store. The index is authoritative
 * only while the adapter owns its store exclusively (or keeps everything in-process).
 */
export abstract class IndexedCacheBase<E extends IndexEntry = IndexEntry> extends CacheBase {
  /** Key -> entry, least recently used first: the adapter's view of what its store holds. */
  protected readonly index = new LruIndex<E>();
  #evictions = 0;

  protected hasRaw(key: string): boolean {
    return this.index.peek(key) !== undefined;
  }

  protected listRaw(): string[] {
    return this.index.keys();
  }

  protected usage(): Usage {
    return { count: this.index.count, bytesUsed: this.index.bytes, capacityBytes: this.limits.capacityBytes, evictions: this.#evictions };
  }

  /**
   * The least recently used keys to evict so that `size` bytes stored under `key` fit in
   * capacityBytes; throws ERR_CAPACITY, before anything changed, when evicting every other key
   * would not be enough.
   */
  protected victimsFor(key: string, size: number): string[] {
    const victims = this.index.victimsFor(key, size, this.limits.capacityBytes);
    if (!victims) throw capacityError(size, this.limits.capacityBytes);
    return victims;
  }

  /** Drops keys the adapter has evicted from its store, and counts them as evictions. */
  protected evicted(victims: readonly string[]): void {
    for (const victim of victims) this.index.delete(victim);
    this.#evictions += victims.length;
  }
}
