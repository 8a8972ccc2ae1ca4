/**
 * dram: the reference adapter. Documents are kept as JSON text in a Map in the process heap, so
 * a `get` pays the same decode as every other adapter and returns a fresh copy. It is the upper
 * bound of speed and the model the conformance suite compares the others against.
 */
import {
  DRAM_MEDIUM,
  IndexedCacheBase,
  checkKnownOptions,
  resolveLimits,
  type Capabilities,
  type CacheOptions,
  type DocumentCache,
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

class DramCache extends IndexedCacheBase<Entry> {
  readonly adapter = ADAPTER;
  readonly capabilities = CAPABILITIES;
  readonly medium = DRAM_MEDIUM;

  constructor(options: DramOptions) {
    super(resolveLimits(options));
  }

  protected readRaw(key: string): string | undefined {
    return this.index.touch(key)?.json;
  }

  protected writeRaw(key: string, json: string, bytes: number): void {
    const size = Buffer.byteLength(key) + bytes;
    this.evicted(this.victimsFor(key, size));
    this.index.set(key, { json, size });
  }

  protected removeRaw(key: string): boolean {
    return this.index.delete(key) !== undefined;
  }

  protected clearRaw(): void {
    this.index.clear();
  }

  protected closeRaw(): void {
    this.index.clear();
  }
}

/** Opens an empty DRAM cache; rejects with `ERR_INVALID_OPTION` on an unknown or bad option. */
export async function openCache(options: DramOptions = {}): Promise<DocumentCache> {
  checkKnownOptions(ADAPTER, options, ['capacityBytes', 'maxDocBytes', 'name', 'dir']);
  return new DramCache(options);
}
