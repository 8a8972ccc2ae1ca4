/**
 * storage-files: storage mode with ordinary files. Each document is one file in
 * `<dir>/storage-files-<name>/`, named by the SHA-256 of its key (a key never becomes a path) and
 * written the durable way: temp file, fdatasync, rename over the target, fsync the directory.
 * A DRAM LRU index (key -> size) is rebuilt at open by reading and checking every file; reads go
 * to the file system every time. See docs/storage.md for the protocol and what a crash can lose.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  CacheError,
  IndexedCacheBase,
  acquireProcessLock,
  checkKnownOptions,
  detectMedium,
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
import { decodeRecord, encodeRecord } from './record.js';

/**
 * storage-files takes the shared options only:
 * - `dir`: default `PMEM_DIR`, else `/dev/shm/pmem-modes`; a DAX mount for real persistent memory;
 * - `name`: default `default`; the data goes to `<dir>/storage-files-<name>/`;
 * - `capacityBytes`: default 64 MiB, counted as key + JSON bytes (not file headers or blocks);
 * - `maxDocBytes`: default 1 MiB.
 */
export type StorageFilesOptions = Pick<CacheOptions, 'dir' | 'name' | 'capacityBytes' | 'maxDocBytes'>;

/** This adapter's name: `cache.adapter`, and the prefix of its data in `dir`. */
export const ADAPTER = 'storage-files';

const CAPABILITIES: Capabilities = Object.freeze({
  persistent: true,
  crashConsistent: true,
  evicts: true,
  sync: false,
  exclusive: true,
  shared: false,
});

/** The marker that makes a directory ours; another text means another program or layout version. */
const FORMAT_FILE = 'FORMAT';
const FORMAT_TEXT = 'pmem-modes storage-files 1\n';
const LOCK_FILE = 'LOCK';
/** Where open moves document files that fail their check, so nothing is deleted unseen. */
const CORRUPT_DIR = 'corrupt';
const DOC_SUFFIX = '.doc';
/** A write in progress; one left at open is a write a crash interrupted, never acknowledged. */
const TEMP_SUFFIX = '.tmp';
/** Files read at once while open rebuilds the index. */
const SCAN_BATCH = 64;

/** What open found and repaired (see docs/storage.md, "Recovery at open"). */
export interface Recovery {
  /** Temp files of interrupted writes, removed. */
  readonly removedTempFiles: number;
  /** Damaged document files moved to `corrupt/`, with the reason, by file name. */
  readonly quarantined: ReadonlyArray<{ file: string; damage: string }>;
}

/** The cache `openCache` returns: the contract plus what recovery did at open. */
export interface StorageFilesCache extends DocumentCache {
  /** What open found and repaired. */
  readonly recovery: Recovery;
}

interface Found {
  key: string;
  size: number;
  mtimeMs: number;
  file: string;
}

/** The index holds key -> size (UTF-8 bytes of key and JSON, what counts against capacityBytes). */
class FilesCache extends IndexedCacheBase implements StorageFilesCache {
  readonly adapter = ADAPTER;
  readonly capabilities = CAPABILITIES;
  readonly medium: Medium;

  constructor(
    limits: ResolvedLimits,
    private readonly dataDir: string,
    private readonly dirHandle: FileHandle,
    private readonly lock: ProcessLock,
    readonly recovery: Recovery,
  ) {
    super(limits);
    this.medium = detectMedium(dataDir);
  }

  /** Fills the index, oldest write first (recency across a reopen is approximated by mtime). */
  async load(found: Found[]): Promise<void> {
    found.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.file < b.file ? -1 : 1));
    for (const { key, size } of found) this.index.set(key, { size });
    // A crash between a write and its evictions, or a smaller capacityBytes, can leave too much.
    await this.#evict(this.victimsFor('', 0));
    await syncDir(this.dirHandle, this.dataDir);
  }

  protected async readRaw(key: string): Promise<Uint8Array | undefined> {
    if (!this.index.touch(key)) return undefined;
    const path = this.#pathOf(key);
    let file: Buffer;
    try {
      file = await readFile(path);
    } catch (err) {
      // A delete, clear or eviction queued before this read removed it first.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw ioError('read', path, err);
    }
    const record = decodeRecord(file);
    if ('damage' in record || record.key !== key) {
      const damage = 'damage' in record ? record.damage : 'it holds another key';
      throw new CacheError(
        'ERR_POOL_CORRUPT',
        `The file of this key (${path}) is damaged: ${damage}. delete(key) removes it; reopening the cache moves it to ${CORRUPT_DIR}/.`,
      );
    }
    return record.json;
  }

  protected async writeRaw(key: string, json: string, bytes: number): Promise<void> {
    const size = Buffer.byteLength(key, 'utf8') + bytes;
    const victims = this.victimsFor(key, size);
    await writeFileDurably(this.#pathOf(key), encodeRecord(key, json, bytes));
    this.index.set(key, { size });
    // Evicting after the rename: a crash in between leaves too much, never too little; open trims.
    await this.#evict(victims);
    await syncDir(this.dirHandle, this.dataDir);
  }

  protected async removeRaw(key: string): Promise<boolean> {
    if (!this.index.peek(key)) return false;
    await unlinkIfPresent(this.#pathOf(key));
    this.index.delete(key);
    await syncDir(this.dirHandle, this.dataDir);
    return true;
  }

  protected async clearRaw(): Promise<void> {
    for (const key of this.index.keys()) {
      await unlinkIfPresent(this.#pathOf(key));
      this.index.delete(key);
    }
    await syncDir(this.dirHandle, this.dataDir);
  }

  protected async closeRaw(): Promise<void> {
    this.index.clear();
    try {
      await this.dirHandle.close();
    } finally {
      this.lock.release();
    }
  }

  #pathOf(key: string): string {
    return join(this.dataDir, fileNameOf(key));
  }

  async #evict(victims: string[]): Promise<void> {
    for (const victim of victims) {
      await unlinkIfPresent(this.#pathOf(victim));
      this.evicted([victim]);
    }
  }
}

/** Opens (creating if needed) the cache's directory, recovering from interrupted writes (see `recovery`). */
export async function openCache(options: StorageFilesOptions = {}): Promise<StorageFilesCache> {
  checkKnownOptions(ADAPTER, options, ['dir', 'name', 'capacityBytes', 'maxDocBytes']);
  const limits = resolveLimits(options);
  const dataDir = join(prepareDir(resolveDir(options.dir)), `${ADAPTER}-${limits.name}`);
  // Refuse a directory that is not ours before writing anything into it, the lock file included.
  const formatted = await checkOwnership(dataDir);
  if (!formatted) await makeDir(dataDir);
  const lock = acquireProcessLock(join(dataDir, LOCK_FILE), `The storage-files cache ${dataDir}`);
  let dirHandle: FileHandle | undefined;
  try {
    dirHandle = await open(dataDir, 'r');
    if (!formatted) {
      await writeFileDurably(join(dataDir, FORMAT_FILE), Buffer.from(FORMAT_TEXT));
      await syncDir(dirHandle, dataDir);
    }
    const { found, recovery } = await scan(dataDir);
    const cache = new FilesCache(limits, dataDir, dirHandle, lock, recovery);
    await cache.load(found);
    return cache;
  } catch (err) {
    await dirHandle?.close().catch(() => undefined);
    lock.release();
    throw err;
  }
}

/** The file of `key`: hex SHA-256, so any key (`..`, `/`, NUL) maps to a plain, fixed-length name. */
function fileNameOf(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex') + DOC_SUFFIX;
}

/**
 * True when `dataDir` holds our FORMAT marker; false when it is missing or holds only what an
 * interrupted first open leaves (a lock file, temp files). Anything else is not ours.
 */
async function checkOwnership(dataDir: string): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(dataDir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code === 'ENOTDIR') throw foreign(dataDir, 'it is a file, not a storage-files directory');
    throw ioError('list', dataDir, err);
  }
  if (names.includes(FORMAT_FILE)) {
    const format = await readFile(join(dataDir, FORMAT_FILE), 'utf8').catch((err: unknown) => {
      throw ioError('read', join(dataDir, FORMAT_FILE), err);
    });
    if (format !== FORMAT_TEXT) {
      throw foreign(dataDir, `its ${FORMAT_FILE} says ${JSON.stringify(format.split('\n')[0]!.slice(0, 60))}, this version reads ${JSON.stringify(FORMAT_TEXT.trim())}`);
    }
    return true;
  }
  const strangers = names.filter((n) => n !== LOCK_FILE && !n.endsWith(TEMP_SUFFIX));
  if (strangers.length > 0) throw foreign(dataDir, `it has files (${strangers.slice(0, 3).join(', ')}) but no ${FORMAT_FILE} marker`);
  return false;
}

/**
 * Reads every document file once: removes temp files, checks each record (header, length, CRC,
 * name = hash of the key inside) and moves the damaged ones to `corrupt/` with a process warning.
 */
async function scan(dataDir: string): Promise<{ found: Found[]; recovery: Recovery }> {
  const entries = await readdir(dataDir, { withFileTypes: true }).catch((err: unknown) => {
    throw ioError('list', dataDir, err);
  });
  let removedTempFiles = 0;
  const quarantined: Array<{ file: string; damage: string }> = [];
  const found: Found[] = [];
  const docs: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    if (entry.name.endsWith(TEMP_SUFFIX)) {
      await unlinkIfPresent(join(dataDir, entry.name));
      removedTempFiles++;
    } else if (entry.name.endsWith(DOC_SUFFIX)) {
      docs.push(entry.name);
    }
  }
  for (let i = 0; i < docs.length; i += SCAN_BATCH) {
    const batch = await Promise.all(docs.slice(i, i + SCAN_BATCH).map((file) => readDocFile(dataDir, file)));
    for (const result of batch) {
      if ('damage' in result) quarantined.push(result);
      else found.push(result);
    }
  }
  if (quarantined.length > 0) await mkdir(join(dataDir, CORRUPT_DIR), { recursive: true, mode: 0o700 });
  for (const { file, damage } of quarantined) {
    await rename(join(dataDir, file), join(dataDir, CORRUPT_DIR, file)).catch((err: unknown) => {
      throw ioError('move aside', join(dataDir, file), err);
    });
    process.emitWarning(`${ADAPTER}: moved the damaged document file ${file} to ${join(dataDir, CORRUPT_DIR)}: ${damage}.`, { code: 'PMEM_MODES_QUARANTINE' });
  }
  return { found, recovery: { removedTempFiles, quarantined } };
}

async function readDocFile(dataDir: string, file: string): Promise<Found | { file: string; damage: string }> {
  const path = join(dataDir, file);
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const { mtimeMs } = await handle.stat();
    const record = decodeRecord(await handle.readFile());
    if ('damage' in record) return { file, damage: record.damage };
    if (fileNameOf(record.key) !== file) return { file, damage: 'its name is not the hash of the key it holds' };
    return { key: record.key, size: record.size, mtimeMs, file };
  } catch (err) {
    throw ioError('read', path, err);
  } finally {
    await handle?.close();
  }
}

/** Temp file, write, fdatasync, rename over `path`. The caller fsyncs the directory. */
async function writeFileDurably(path: string, content: Buffer): Promise<void> {
  // Mutations are serialised and the directory is locked: one temp name per target is enough.
  const temp = path + TEMP_SUFFIX;
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'w', 0o600);
    await handle.writeFile(content);
    await handle.datasync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw ioError('write', path, err);
  }
}

/** Makes renames, creations and unlinks in the directory durable. */
async function syncDir(handle: FileHandle, dataDir: string): Promise<void> {
  try {
    await handle.sync();
  } catch (err) {
    throw ioError('fsync', dataDir, err);
  }
}

async function makeDir(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { mode: 0o700 });
    const parent = await open(dirname(dataDir), 'r');
    try {
      await parent.sync();
    } finally {
      await parent.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError('create', dataDir, err);
  }
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('remove', path, err);
  }
}

function foreign(dataDir: string, why: string): CacheError {
  return new CacheError(
    'ERR_POOL_FOREIGN',
    `${dataDir} is not a storage-files cache of this version: ${why}. Pick another name or dir, or move that directory away.`,
  );
}

function ioError(action: string, path: string, cause: unknown): CacheError {
  if (cause instanceof CacheError) return cause;
  const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
  return new CacheError(
    'ERR_DIR_UNUSABLE',
    `${ADAPTER} could not ${action} ${path} (${code}). Check the free space and permissions of the cache directory.`,
    { cause },
  );
}
