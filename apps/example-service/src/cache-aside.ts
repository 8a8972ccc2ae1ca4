/**
 * Cache-aside (lazy loading) in front of the slow origin: reads try the cache first and fill it
 * on a miss; writes go to the origin, the source of truth, then refresh the cache. The cache
 * never holds a document the origin refused, and a cache that cannot take a document (too large,
 * full, closing) only costs speed: the answer still comes from the origin.
 */
import { CacheError, checkKey, encodeDoc, type Doc, type DocumentCache } from '@pmem-modes/core';
import type { SlowOrigin } from './origin.js';

export interface ReadResult {
  doc: Doc;
  /** `hit`: served from the cache; `miss`: fetched from the origin (and cached when it fit). */
  cache: 'hit' | 'miss';
}

export class CacheAside {
  constructor(
    readonly cache: DocumentCache,
    readonly origin: SlowOrigin,
    private readonly maxDocBytes: number,
  ) {}

  /** The document, or undefined when the origin has none. Invalid ids throw `ERR_INVALID_KEY`. */
  async read(id: string): Promise<ReadResult | undefined> {
    const cached = await this.cache.get(id); // checks the id before anything reaches the origin
    if (cached !== undefined) return { doc: cached, cache: 'hit' };
    const doc = await this.origin.get(id);
    if (doc === undefined) return undefined;
    await this.fill(id, doc);
    return { doc, cache: 'miss' };
  }

  /** Validates id and document first, so a refused request leaves origin and cache untouched. */
  async write(id: string, doc: unknown): Promise<void> {
    checkKey(id);
    const { json } = encodeDoc(doc, this.maxDocBytes);
    await this.origin.put(id, json);
    await this.fill(id, doc as Doc);
  }

  /** True when the origin had the document. */
  async remove(id: string): Promise<boolean> {
    checkKey(id);
    const existed = await this.origin.delete(id);
    await this.cache.delete(id);
    return existed;
  }

  private async fill(id: string, doc: Doc): Promise<void> {
    try {
      await this.cache.set(id, doc);
    } catch (err) {
      if (!(err instanceof CacheError)) throw err;
      // A failed set leaves the previous entry: drop it so no stale copy outlives the origin's.
      await this.cache.delete(id).catch(() => undefined);
    }
  }
}
