import { CacheError } from './errors.js';
import type { Capabilities, CacheStats, Doc, DocumentCache, Medium } from './types.js';
import { checkKey, decodeDoc, encodeDoc, type ResolvedLimits } from './validate.js';

/** What a storage primitive returns: a value from synchronous adapters, a promise from asynchronous ones. */
export type MaybePromise<T> = T | Promise<T>;

/** What an adapter reports about its contents; the base adds hits, misses and the medium. */
export interface Usage {
  /** Documents held. */
  count: number;
  /** Bytes of documents and keys, as the adapter accounts them. */
  bytesUsed: number;
  /** The bound on `bytesUsed`. */
  capacityBytes: number;
  /** Documents evicted since open. */
  evictions: number;
}

/**
 * The shared half of every adapter: key and document checks, JSON encoding, the closed state,
 * hit/miss counting, `ERR_NOT_SUPPORTED` for sync calls on async adapters, and one queue that
 * serialises the mutations of asynchronous adapters (so an eviction never races a write).
 *
 * An adapter implements the storage primitives below; they receive keys already checked and
 * documents already encoded, and may be synchronous (in-process adapters, which then offer
 * `getSync`/`setSync`) or asynchronous.
 */
export abstract class CacheBase implements DocumentCache {
  /** The adapter's name, e.g. `dram`. */
  abstract readonly adapter: string;
  /** What the adapter guarantees; the base reads `sync` to choose its code paths. */
  abstract readonly capabilities: Capabilities;
  /** Where the data lives, reported by {@link stats}. */
  abstract readonly medium: Medium;

  #hits = 0;
  #misses = 0;
  #closed = false;
  #closing: Promise<void> | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  /** @param limits the checked shared options, from {@link resolveLimits}. */
  protected constructor(protected readonly limits: ResolvedLimits) {}

  /** The stored JSON text of `key` (string or UTF-8 bytes), or undefined. */
  protected abstract readRaw(key: string): MaybePromise<string | Uint8Array | undefined>;
  /** Stores `json` (`bytes` long in UTF-8) under `key`, evicting as needed; durable on return. */
  protected abstract writeRaw(key: string, json: string, bytes: number): MaybePromise<void>;
  /** Removes `key`; true when it was there. */
  protected abstract removeRaw(key: string): MaybePromise<boolean>;
  /** True when `key` is stored. */
  protected abstract hasRaw(key: string): MaybePromise<boolean>;
  /** The keys stored now. */
  protected abstract listRaw(): MaybePromise<Iterable<string>>;
  /** Removes every document. */
  protected abstract clearRaw(): MaybePromise<void>;
  /** Counts and bytes now; the base adds hits, misses and the medium. */
  protected abstract usage(): Usage;
  /** Releases everything; called once. */
  protected abstract closeRaw(): MaybePromise<void>;

  async get(key: string): Promise<Doc | undefined> {
    this.assertOpen();
    checkKey(key);
    return this.count(await this.readRaw(key));
  }

  getSync(key: string): Doc | undefined {
    this.assertSync('getSync');
    checkKey(key);
    return this.count(this.readRaw(key) as string | Uint8Array | undefined);
  }

  async set(key: string, doc: Doc): Promise<void> {
    this.assertOpen();
    checkKey(key);
    const { json, bytes } = encodeDoc(doc, this.limits.maxDocBytes);
    if (this.capabilities.sync) return this.writeRaw(key, json, bytes) as void;
    await this.exclusive(() => this.writeRaw(key, json, bytes));
  }

  setSync(key: string, doc: Doc): void {
    this.assertSync('setSync');
    checkKey(key);
    const { json, bytes } = encodeDoc(doc, this.limits.maxDocBytes);
    this.writeRaw(key, json, bytes);
  }

  async delete(key: string): Promise<boolean> {
    this.assertOpen();
    checkKey(key);
    if (this.capabilities.sync) return this.removeRaw(key) as boolean;
    return this.exclusive(() => this.removeRaw(key));
  }

  /** See {@link DocumentCache.has}. */
  async has(key: string): Promise<boolean> {
    this.assertOpen();
    checkKey(key);
    return this.hasRaw(key);
  }

  async *keys(): AsyncIterable<string> {
    this.assertOpen();
    const list = await this.listRaw();
    for (const key of list) {
      this.assertOpen();
      yield key;
    }
  }

  /** See {@link DocumentCache.clear}. */
  async clear(): Promise<void> {
    this.assertOpen();
    await this.exclusive(() => this.clearRaw());
  }

  /** See {@link DocumentCache.stats}. */
  stats(): CacheStats {
    this.assertOpen();
    return { ...this.usage(), hits: this.#hits, misses: this.#misses, medium: this.medium };
  }

  close(): Promise<void> {
    if (!this.#closing) {
      this.#closed = true;
      // Let queued mutations finish (their callers are owed an answer), then release.
      this.#closing = this.#tail.then(
        () => this.closeRaw(),
        () => this.closeRaw(),
      );
    }
    return this.#closing;
  }

  /** True once `close()` was called. */
  protected get closed(): boolean {
    return this.#closed;
  }

  /** Throws `ERR_CLOSED` once `close()` was called. */
  protected assertOpen(): void {
    if (this.#closed) {
      throw new CacheError('ERR_CLOSED', `This ${this.adapter} cache is closed; open a new one with openCache().`);
    }
  }

  /** Runs `fn` after every mutation queued before it (asynchronous adapters only). */
  protected exclusive<T>(fn: () => MaybePromise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  private assertSync(method: string): void {
    if (!this.capabilities.sync) {
      throw new CacheError('ERR_NOT_SUPPORTED', `${method} is not offered by the ${this.adapter} adapter (capabilities.sync is false); use the async method.`);
    }
    this.assertOpen();
  }

  private count(raw: string | Uint8Array | undefined): Doc | undefined {
    if (raw === undefined) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    return decodeDoc(raw);
  }
}
