/**
 * dram: the reference adapter. Documents are kept as JSON text in a Map in the process heap, so
 * a `get` pays the same decode as every other adapter and returns a fresh copy. It is the upper
 * bound of speed and the model the conformance suite compares the others against.
 */
import {
  CacheBase,
  capacityError,
  DRAM_MEDIUM,
  LruIndex,
  checkKnownOptions,
  resolveLimits,
  type Capabilities,
  type CacheOptions,
  type DocumentCache,
  type Usage,
} from '@pmem-modes/core';

/** dram takes only the shared limits: there is no directory, nothing survives `close()`. */
export type DramOptions = Pick<CacheOptions, 'capacityBytes' | 'maxDocBytes' | 'name'>;

/** This adapter's name: `cache.adapter`, and its data's prefix in a directory. */
export const ADAPTER = 'dram';

const CAPABILITIES: Capabilities = Object.freeze({
  persistent: false,
  crashConsistent: false,
  evicts: true,
  sync: true,
  exclusive: false,
  shared: false,
});

interface Entry {
  readonly json: string;
  /** UTF-8 bytes of key and document: what counts against capacityBytes. */
  readonly size: number;
}

class DramCache extends CacheBase {
  readonly adapter = ADAPTER;
  readonly capabilities = CAPABILITIES;
  readonly medium = DRAM_MEDIUM;
  #lru = new LruIndex<Entry>();
  #evictions = 0;

  constructor(options: DramOptions) {
    super(resolveLimits(options));
  }

  protected readRaw(key: string): string | undefined {
    return this.#lru.touch(key)?.json;
  }

  protected writeRaw(key: string, json: string, bytes: number): void {
    const size = Buffer.byteLength(key) + bytes;
    const victims = this.#lru.victimsFor(key, size, this.limits.capacityBytes);
    if (!victims) throw capacityError(size, this.limits.capacityBytes);
    for (const victim of victims) this.#lru.delete(victim);
    this.#evictions += victims.length;
    this.#lru.set(key, { json, size });
  }

  protected removeRaw(key: string): boolean {
    return this.#lru.delete(key) !== undefined;
  }

  protected hasRaw(key: string): boolean {
    return this.#lru.peek(key) !== undefined;
  }

  protected listRaw(): string[] {
    return this.#lru.keys();
  }

  protected clearRaw(): void {
    this.#lru.clear();
  }

  protected usage(): Usage {
    return { count: this.#lru.count, bytesUsed: this.#lru.bytes, capacityBytes: this.limits.capacityBytes, evictions: this.#evictions };
  }

  protected closeRaw(): void {
    this.#lru.clear();
  }
}

/** Opens an empty DRAM cache; rejects with `ERR_INVALID_OPTION` on an unknown or bad option. */
export async function openCache(options: DramOptions = {}): Promise<DocumentCache> {
  checkKnownOptions(ADAPTER, options, ['capacityBytes', 'maxDocBytes', 'name', 'dir']);
  return new DramCache(options);
}
