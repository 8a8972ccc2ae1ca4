/** What {@link LruIndex} needs of an entry. */
export interface LruEntry {
  /** The bytes this entry counts against the capacity. */
  readonly size: number;
}

/**
 * A DRAM recency index: a Map kept in least-recently-used-first order (a read moves the key to
 * the back), with the byte total of its entries. The JavaScript adapters use it to pick eviction
 * victims; native adapters keep their own list in the pool or heap.
 */
export class LruIndex<V extends LruEntry> {
  #entries = new Map<string, V>();
  #bytes = 0;

  /** Number of entries. */
  get count(): number {
    return this.#entries.size;
  }

  /** Sum of the entries' sizes. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The entry, marked as most recently used. */
  touch(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** The entry, without changing its recency. */
  peek(key: string): V | undefined {
    return this.#entries.get(key);
  }

  /** Stores `entry` as the most recently used; returns the entry it replaced, if any. */
  set(key: string, entry: V): V | undefined {
    const replaced = this.delete(key);
    this.#entries.set(key, entry);
    this.#bytes += entry.size;
    return replaced;
  }

  /** Removes the entry and returns it, if there was one. */
  delete(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= entry.size;
    }
    return entry;
  }

  /** Removes every entry. */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  /** The keys, least recently used first. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  /**
   * The least recently used keys to evict so that an entry of `incoming` bytes replacing `key`
   * fits under `capacity`; undefined when even evicting everything else would not make room.
   */
  victimsFor(key: string, incoming: number, capacity: number): string[] | undefined {
    const existing = this.#entries.get(key)?.size ?? 0;
    let needed = this.#bytes - existing + incoming - capacity;
    if (needed <= 0) return [];
    if (incoming > capacity) return undefined;
    const victims: string[] = [];
    for (const [k, entry] of this.#entries) {
      if (k === key) continue;
      victims.push(k);
      needed -= entry.size;
      if (needed <= 0) return victims;
    }
    return undefined;
  }
}
