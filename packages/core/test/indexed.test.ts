import { describe, expect, it } from 'vitest';
import { DRAM_MEDIUM, IndexedCacheBase, isCacheError, resolveLimits, type Capabilities } from '@pmem-modes/core';

/** The smallest indexed adapter: a Map as the store, the base doing the bookkeeping. */
class MapStore extends IndexedCacheBase {
  readonly adapter = 'map-store';
  readonly medium = DRAM_MEDIUM;
  readonly capabilities: Capabilities = { persistent: false, crashConsistent: false, evicts: true, sync: true, exclusive: false, shared: false };
  readonly store = new Map<string, string>();

  constructor(capacityBytes: number) {
    super(resolveLimits({ capacityBytes }));
  }

  protected readRaw(key: string): string | undefined {
    return this.index.touch(key) && this.store.get(key);
  }

  protected writeRaw(key: string, json: string, bytes: number): void {
    const size = key.length + bytes;
    const victims = this.victimsFor(key, size);
    for (const victim of victims) this.store.delete(victim);
    this.evicted(victims);
    this.store.set(key, json);
    this.index.set(key, { size });
  }

  protected removeRaw(key: string): boolean {
    this.index.delete(key);
    return this.store.delete(key);
  }

  protected clearRaw(): void {
    this.index.clear();
    this.store.clear();
  }

  protected closeRaw(): void {}
}

describe('IndexedCacheBase', () => {
  it('answers has, keys and stats from the index and evicts the least recently used first', async () => {
    const cache = new MapStore(30);
    cache.setSync('a', 'x'.repeat(7)); // 1 + 9 bytes
    cache.setSync('b', 'y'.repeat(7));
    cache.setSync('c', 'z'.repeat(7));
    expect(cache.getSync('a')).toBe('xxxxxxx'); // b is now the least recently used
    cache.setSync('d', 'w'.repeat(7));
    expect(await cache.has('b')).toBe(false);
    expect([...cache.store.keys()].sort()).toEqual(['a', 'c', 'd']);
    const keys: string[] = [];
    for await (const k of cache.keys()) keys.push(k);
    expect(keys).toEqual(['c', 'a', 'd']);
    expect(cache.stats()).toMatchObject({ count: 3, bytesUsed: 30, capacityBytes: 30, evictions: 1 });
  });

  it('victimsFor throws ERR_CAPACITY before anything changes when evicting everything else is not enough', () => {
    const cache = new MapStore(30);
    cache.setSync('a', 1);
    let error: unknown;
    try {
      cache.setSync('big', 'x'.repeat(26)); // 3 + 28 bytes > 30
    } catch (err) {
      error = err;
    }
    expect(isCacheError(error, 'ERR_CAPACITY')).toBe(true);
    expect(cache.stats()).toMatchObject({ count: 1, bytesUsed: 2, evictions: 0 });
    expect(cache.getSync('a')).toBe(1);
  });
});
