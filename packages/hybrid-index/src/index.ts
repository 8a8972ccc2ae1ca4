/**
 * hybrid-index: documents live in persistent memory, in a log of checksummed records inside a
 * file mapped with libpmem; the index (key -> record) lives in DRAM only and is rebuilt by
 * scanning the log on open. A get is a Map lookup and one copy out of pmem; a set appends one
 * record and flushes it; nothing about the index is ever persisted. The price is a restart that
 * reads every record. See docs/hybrid-index.md.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  IndexedCacheBase,
  CacheError,
  MAX_KEY_BYTES,
  acquireProcessLock,
  checkKnownOptions,
  detectMedium,
  emulatePmemFlushes,
  prepareDir,
  resolveDir,
  resolveLimits,
  type Capabilities,
  type CacheOptions,
  type DocumentCache,
  type Medium,
  type ProcessLock,
  type ResolvedLimits,
} from '@pmem-modes/core';
import { FILE_HEADER_BYTES, checkFileHeader, recordBytesFor, writeFileHeader } from './format.js';
import { RecordLog, type CleanerEvents, type RecordRef } from './log.js';
import { loadAddon, type PmemAddon } from './native.js';

/**
 * hybrid-index takes only the shared options.
 * - `dir`: where the data file `hybrid-index-<name>.log` lives (default PMEM_DIR, else /dev/shm/pmem-modes).
 * - `capacityBytes`: bound on the ring bytes of live records (key + JSON + 32-byte header, 8-byte
 *   aligned); default 64 MiB, at most 1792 MiB. The file is about twice that, created sparse.
 * - `maxDocBytes`: default min(1 MiB, capacityBytes).
 */
export type HybridIndexOptions = CacheOptions;

/** This adapter's name: `cache.adapter`, and the prefix of its data in `dir`. */
export const ADAPTER = 'hybrid-index';

const CAPABILITIES: Capabilities = Object.freeze({
  persistent: true,
  crashConsistent: true,
  evicts: true,
  sync: true,
  exclusive: true,
  shared: false,
});

/** Keeps the file (ring of twice the capacity, plus the header) under Node's 4 GiB Buffer limit. */
export const MAX_CAPACITY_BYTES = 1792 * 1024 * 1024;

/**
 * Ring size for a capacity: live records fill at most half of it, so the cleaner always finds at
 * least as much dead space as live data ahead of the tail (write amplification at most 2), plus
 * room to move or pad around the largest record.
 */
export function ringBytesFor(limits: Pick<ResolvedLimits, 'capacityBytes' | 'maxDocBytes'>): number {
  const raw = 2 * limits.capacityBytes + 4 * maxRecordBytes(limits.maxDocBytes);
  return Math.ceil(raw / 4096) * 4096;
}

function maxRecordBytes(maxDocBytes: number): number {
  return recordBytesFor(MAX_KEY_BYTES, maxDocBytes);
}

class HybridIndexCache extends IndexedCacheBase<RecordRef> {
  readonly adapter = ADAPTER;
  readonly capabilities = CAPABILITIES;
  readonly medium: Medium;
  readonly #addon: PmemAddon;
  readonly #buffer: Buffer;
  readonly #lock: ProcessLock;
  readonly #log: RecordLog;
  readonly #cleanerEvents: CleanerEvents;

  constructor(limits: ResolvedLimits, file: MappedDataFile) {
    super(limits);
    this.medium = file.medium;
    this.#addon = file.addon;
    this.#buffer = file.buffer;
    this.#lock = file.lock;
    this.#log = file.log;
    this.#cleanerEvents = {
      moved: (key, pos) => {
        const ref = this.index.peek(key);
        if (ref) ref.pos = pos;
      },
      dropped: (key) => this.evicted([key]),
    };
    this.#rebuildIndex();
  }

  /** Rebuilds the DRAM index from the log; write order stands in for recency. */
  #rebuildIndex(): void {
    this.#log.scan((key, ref) => {
      const older = this.index.set(key, ref);
      // Two live records of one key: a crash hit between writing the new one and marking the old.
      if (older) this.#log.markDead(older.pos);
    });
    // Reopened with a smaller capacity: the oldest records go.
    this.#evict(this.victimsFor('', 0));
  }

  protected readRaw(key: string): string | undefined {
    const ref = this.index.touch(key);
    return ref && this.#log.readDoc(ref);
  }

  protected writeRaw(key: string, json: string, bytes: number): void {
    const keyBytes = Buffer.byteLength(key, 'utf8');
    const size = recordBytesFor(keyBytes, bytes);
    this.#evict(this.victimsFor(key, size));
    this.#log.makeRoom(size, this.#cleanerEvents);
    const pos = this.#log.append(key, keyBytes, json, bytes);
    // The old record's position is read only now: making room may have moved it.
    const older = this.index.set(key, { pos, size, keyBytes, docBytes: bytes });
    if (older) this.#log.markDead(older.pos);
  }

  protected removeRaw(key: string): boolean {
    const ref = this.index.delete(key);
    if (ref) this.#log.markDead(ref.pos);
    return ref !== undefined;
  }

  protected clearRaw(): void {
    this.#log.clear();
    this.index.clear();
  }

  protected closeRaw(): void {
    this.index.clear();
    this.#addon.unmap(this.#buffer);
    this.#lock.release();
  }

  /** Marks the victims' records dead in the log, then drops them from the index as evictions. */
  #evict(victims: readonly string[]): void {
    for (const key of victims) {
      const ref = this.index.peek(key);
      if (ref) this.#log.markDead(ref.pos);
    }
    this.evicted(victims);
  }
}

interface MappedDataFile {
  addon: PmemAddon;
  buffer: Buffer;
  lock: ProcessLock;
  log: RecordLog;
  medium: Medium;
}

/** Reads the first page of an existing data file and its size, without writing anything. */
function readHeaderPage(path: string): { page: Buffer; fileBytes: number } {
  const fd = openSync(path, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    const page = Buffer.alloc(Math.min(fileBytes, FILE_HEADER_BYTES));
    readSync(fd, page, 0, page.length, 0);
    return { page, fileBytes };
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates the data file under a temporary name (sparse: pages are allocated as records land),
 * writes and flushes its header, then renames it into place, so a crash never leaves a
 * half-initialised file under the real name.
 */
function createDataFile(addon: PmemAddon, dir: string, path: string, ringBytes: number): void {
  const creating = `${path}.creating`;
  rmSync(creating, { force: true });
  const fd = openSync(creating, 'wx', 0o600);
  try {
    ftruncateSync(fd, FILE_HEADER_BYTES + ringBytes);
  } finally {
    closeSync(fd);
  }
  const { buffer, isPmem } = addon.mapFile(creating);
  try {
    writeFileHeader(buffer, ringBytes);
    addon.persist(buffer, isPmem, 0, FILE_HEADER_BYTES);
  } finally {
    addon.unmap(buffer);
  }
  renameSync(creating, path);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd); // the rename itself must survive a power loss on a real filesystem
  } finally {
    closeSync(dirFd);
  }
}

function openDataFile(dir: string, limits: ResolvedLimits, lock: ProcessLock): MappedDataFile {
  const path = join(dir, `${ADAPTER}-${limits.name}.log`);
  const medium = detectMedium(dir);
  emulatePmemFlushes(medium); // before libpmem loads: it reads the variable once
  const addon = loadAddon();
  const ringNeeded = ringBytesFor(limits);
  if (!existsSync(path)) createDataFile(addon, dir, path, ringNeeded);

  const { page, fileBytes } = readHeaderPage(path);
  const verdict = checkFileHeader(page, fileBytes);
  if (!verdict.ok) {
    const what = verdict.code === 'ERR_POOL_FOREIGN' ? 'is not a hybrid-index data file this build can read' : 'is damaged';
    throw new CacheError(verdict.code, `${path} ${what}: ${verdict.reason}. It was not modified; move it away or open another name or dir.`);
  }
  if (verdict.ringBytes < ringNeeded) {
    const largest = Math.floor((verdict.ringBytes - (ringNeeded - 2 * limits.capacityBytes)) / 2);
    throw new CacheError(
      'ERR_INVALID_OPTION',
      `${path} was created for a smaller cache: with maxDocBytes ${limits.maxDocBytes} it holds capacityBytes up to ${Math.max(largest, 0)}, not ${limits.capacityBytes}. Reopen with a smaller capacityBytes, or delete the file to start over.`,
    );
  }
  const { buffer, isPmem } = addon.mapFile(path);
  const persist = (offset: number, length: number) => addon.persist(buffer, isPmem, offset, length);
  const log = new RecordLog(buffer, persist, {
    ringBytes: verdict.ringBytes,
    maxRecordBytes: maxRecordBytes(limits.maxDocBytes),
    cleanBatch: Math.floor(limits.capacityBytes / 4 / 8) * 8,
    checkpoint: verdict.checkpoint,
    slot: verdict.slot,
  });
  const flushes = isPmem ? 'libpmem flushes CPU caches (is_pmem)' : 'libpmem falls back to msync (not pmem)';
  return { addon, buffer, lock, log, medium: { ...medium, path, description: `${medium.description}; ${flushes}` } };
}

/** Opens (creating if needed) the cache's log file and rebuilds the DRAM index by scanning it. */
export async function openCache(options: HybridIndexOptions = {}): Promise<DocumentCache> {
  checkKnownOptions(ADAPTER, options, ['dir', 'name', 'capacityBytes', 'maxDocBytes']);
  const limits = resolveLimits(options);
  if (limits.capacityBytes > MAX_CAPACITY_BYTES) {
    throw new CacheError('ERR_INVALID_OPTION', `Option capacityBytes is at most ${MAX_CAPACITY_BYTES} for ${ADAPTER} (its file is twice the capacity and must stay under 4 GiB); got ${limits.capacityBytes}.`);
  }
  const dir = prepareDir(resolveDir(options.dir));
  const lock = acquireProcessLock(join(dir, `${ADAPTER}-${limits.name}.lock`), `The ${ADAPTER} cache "${limits.name}" in ${dir}`);
  let file: MappedDataFile | undefined;
  try {
    file = openDataFile(dir, limits, lock);
    return new HybridIndexCache(limits, file);
  } catch (err) {
    if (file) file.addon.unmap(file.buffer);
    lock.release();
    throw err;
  }
}
