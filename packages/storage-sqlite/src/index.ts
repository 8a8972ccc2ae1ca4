/**
 * storage-sqlite: storage mode with SQLite. The documents live in one table of
 * `<dir>/storage-sqlite-<name>.db` (better-sqlite3, WAL, synchronous FULL by default); a DRAM LRU
 * index (key -> size) is rebuilt at open and an eviction commits in the same transaction as the
 * write that needs the room. See docs/storage.md for the protocol and what a crash can lose.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import {
  CacheError,
  IndexedCacheBase,
  checkKnownOptions,
  detectMedium,
  prepareDir,
  resolveDir,
  resolveLimits,
  type Capabilities,
  type CacheOptions,
  type DocumentCache,
  type Medium,
  type ResolvedLimits,
} from '@pmem-modes/core';

/** The shared options, plus SQLite's `synchronous` level. */
export interface StorageSqliteOptions extends Pick<CacheOptions, 'dir' | 'name' | 'capacityBytes' | 'maxDocBytes'> {
  /**
   * SQLite's `synchronous` setting. Default `'full'`: every commit fsyncs the WAL, so an
   * acknowledged write survives process crash, OS crash and power loss.
   * `'normal'` skips that fsync (the WAL is synced only at checkpoints): faster commits, still
   * safe against a process crash (SIGKILL) because the written WAL is in the OS, but the last
   * transactions before an OS crash or power loss may be lost (never torn: the database stays
   * consistent and rolls back to an earlier commit).
   */
  synchronous?: 'full' | 'normal';
}

/** This adapter's name: `cache.adapter`, and the prefix of its data in `dir`. */
export const ADAPTER = 'storage-sqlite';

const CAPABILITIES: Capabilities = Object.freeze({
  persistent: true,
  crashConsistent: true,
  evicts: true,
  sync: true,
  exclusive: true,
  shared: false,
});

/** `PRAGMA application_id` of our databases ("PMMC"): any other id is another program's file. */
const APPLICATION_ID = 0x504d4d43;
/** `PRAGMA user_version`: the layout of the table below. Another number is another format. */
const SCHEMA_VERSION = 1;
/**
 * JSON is stored as TEXT, not BLOB: better-sqlite3 hands TEXT back as a JS string made straight
 * from SQLite's UTF-8 bytes, which JSON.parse takes as is; a BLOB would come back as a Buffer to
 * be decoded into that same string, one allocation and copy more on every read.
 * Recency survives a reopen as write order: INSERT OR REPLACE gives a rewritten row the next rowid.
 */
const SCHEMA = `CREATE TABLE docs (
  key TEXT NOT NULL UNIQUE,
  doc TEXT NOT NULL,
  size INTEGER NOT NULL
)`;
const SQLITE_MAGIC = 'SQLite format 3\0';

/** The cache `openCache` returns: the contract plus the synchronous level in force. */
export interface StorageSqliteCache extends DocumentCache {
  /** Read from the connection (`PRAGMA synchronous`), not from the option. */
  readonly synchronous: 'full' | 'normal';
}

/** The index holds key -> size (UTF-8 bytes of key and JSON, what counts against capacityBytes). */
class SqliteCache extends IndexedCacheBase implements StorageSqliteCache {
  readonly adapter = ADAPTER;
  readonly capabilities = CAPABILITIES;
  readonly medium: Medium;
  #selectDoc: BetterSqlite3.Statement<[string], string>;
  #deleteDoc: BetterSqlite3.Statement<[string]>;
  #deleteAll: BetterSqlite3.Statement<[]>;
  #writeWithEvictions: (victims: string[], key: string, json: string, size: number) => void;

  constructor(
    limits: ResolvedLimits,
    private readonly db: BetterSqlite3.Database,
    private readonly path: string,
  ) {
    super(limits);
    this.medium = detectMedium(path);
    this.#selectDoc = db.prepare<[string], string>('SELECT doc FROM docs WHERE key = ?').pluck();
    this.#deleteDoc = db.prepare<[string]>('DELETE FROM docs WHERE key = ?');
    this.#deleteAll = db.prepare<[]>('DELETE FROM docs');
    const upsert = db.prepare<[string, string, number]>('INSERT OR REPLACE INTO docs (key, doc, size) VALUES (?, ?, ?)');
    // One transaction: the victims go only if the write commits, so a failed set changes nothing.
    this.#writeWithEvictions = db.transaction((victims: string[], key: string, json: string, size: number) => {
      for (const victim of victims) this.#deleteDoc.run(victim);
      upsert.run(key, json, size);
    });
    for (const { key, size } of db.prepare<[], { key: string; size: number }>('SELECT key, size FROM docs ORDER BY rowid').iterate()) {
      this.index.set(key, { size });
    }
  }

  get synchronous(): 'full' | 'normal' {
    this.assertOpen();
    return this.db.pragma('synchronous', { simple: true }) === 1 ? 'normal' : 'full';
  }

  protected readRaw(key: string): string | undefined {
    if (!this.index.touch(key)) return undefined;
    try {
      return this.#selectDoc.get(key);
    } catch (err) {
      throw sqliteError(err, this.path);
    }
  }

  protected writeRaw(key: string, json: string, bytes: number): void {
    const size = Buffer.byteLength(key, 'utf8') + bytes;
    const victims = this.victimsFor(key, size);
    try {
      this.#writeWithEvictions(victims, key, json, size);
    } catch (err) {
      throw sqliteError(err, this.path);
    }
    this.evicted(victims);
    this.index.set(key, { size });
  }

  protected removeRaw(key: string): boolean {
    if (!this.index.peek(key)) return false;
    try {
      this.#deleteDoc.run(key);
    } catch (err) {
      throw sqliteError(err, this.path);
    }
    this.index.delete(key);
    return true;
  }

  protected clearRaw(): void {
    try {
      this.#deleteAll.run();
    } catch (err) {
      throw sqliteError(err, this.path);
    }
    this.index.clear();
  }

  protected closeRaw(): void {
    this.index.clear();
    this.db.close(); // checkpoints the WAL into the database and removes it
  }
}

/** Opens (creating if needed) the cache's SQLite database; rejects `ERR_NATIVE_UNAVAILABLE` when better-sqlite3 cannot load. */
export async function openCache(options: StorageSqliteOptions = {}): Promise<StorageSqliteCache> {
  checkKnownOptions(ADAPTER, options, ['dir', 'name', 'capacityBytes', 'maxDocBytes', 'synchronous']);
  const limits = resolveLimits(options);
  const synchronous = options.synchronous ?? 'full';
  if (synchronous !== 'full' && synchronous !== 'normal') {
    throw new CacheError('ERR_INVALID_OPTION', `Option synchronous must be 'full' or 'normal', got ${JSON.stringify(synchronous)}.`);
  }
  const path = join(prepareDir(resolveDir(options.dir)), `${ADAPTER}-${limits.name}.db`);
  const Database = await loadDriver();
  let db: BetterSqlite3.Database | undefined;
  try {
    // timeout 0: a database another connection holds fails at once (SQLITE_BUSY), it does not wait.
    const conn = new Database(path, { timeout: 0 });
    db = conn;
    // Before WAL is entered: the wal-index then lives in this process's heap (no -shm file), and
    // the lock, once taken, is held until close. That lock is what makes the cache exclusive: it
    // is per inode, so a second connection in this process is refused too, and the kernel drops
    // it when the process dies, so a killed owner never blocks the next open.
    conn.pragma('locking_mode = EXCLUSIVE');
    const fresh = checkOwnership(conn, path);
    if (conn.pragma('journal_mode = WAL', { simple: true }) !== 'wal') {
      throw new CacheError('ERR_DIR_UNUSABLE', `SQLite could not enter WAL mode for ${path}. Put the cache on a local filesystem.`);
    }
    conn.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    // Take the write lock now, so that a second opener fails at open rather than at its first write.
    conn
      .transaction(() => {
        if (!fresh) return;
        conn.exec(SCHEMA);
        conn.pragma(`application_id = ${APPLICATION_ID}`);
        conn.pragma(`user_version = ${SCHEMA_VERSION}`);
      })
      .immediate();
    return new SqliteCache(limits, conn, path);
  } catch (err) {
    try {
      db?.close();
    } catch {
      /* the error below says what went wrong */
    }
    throw sqliteError(err, path);
  }
}

/** True for an empty database (ours to create); throws ERR_POOL_FOREIGN for anyone else's. */
function checkOwnership(db: BetterSqlite3.Database, path: string): boolean {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const userVersion = db.pragma('user_version', { simple: true }) as number;
  const objects = db.prepare<[], number>('SELECT count(*) FROM sqlite_schema').pluck().get()!;
  if (applicationId === 0 && userVersion === 0 && objects === 0) return true;
  if (applicationId !== APPLICATION_ID) {
    throw foreign(path, `it is another program's SQLite database (application_id ${applicationId}, ${objects} schema objects)`);
  }
  if (userVersion !== SCHEMA_VERSION) {
    throw foreign(path, `it is a storage-sqlite database of format ${userVersion}; this version reads format ${SCHEMA_VERSION}`);
  }
  return false;
}

let driver: Promise<typeof BetterSqlite3> | undefined;

/** better-sqlite3, loaded on first open: a missing or unbuilt addon is an error of openCache, not of import. */
function loadDriver(): Promise<typeof BetterSqlite3> {
  driver ??= import('better-sqlite3')
    .then(({ default: Database }) => {
      new Database(':memory:').close(); // the addon loads on first use: make a build failure show here
      return Database;
    })
    .catch((cause: unknown) => {
      driver = undefined;
      throw new CacheError(
        'ERR_NATIVE_UNAVAILABLE',
        `storage-sqlite needs better-sqlite3 12 and its native addon, which did not load (${String((cause as Error).message).split('\n')[0]}). ` +
          'Run `npm rebuild better-sqlite3` (it compiles with g++, make and python3: `apt-get install build-essential python3`).',
        { cause },
      );
    });
  return driver;
}

/** The one place SQLite errors become CacheErrors; anything that is already one passes through. */
function sqliteError(err: unknown, path: string): unknown {
  if (err instanceof CacheError) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  const why = `${code}: ${(err as Error).message}`;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new CacheError('ERR_POOL_LOCKED', `${path} is in use by another connection (${why}). Close it there first; one process owns it at a time.`, { cause: err });
  }
  if (code === 'SQLITE_NOTADB' && !startsWithSqliteMagic(path)) {
    return foreign(path, `it is not a SQLite database (${why})`, err);
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new CacheError(
      'ERR_POOL_CORRUPT',
      `${path} is damaged (${why}). It is a cache: delete it (and its -wal file) to start empty, or restore a copy.`,
      { cause: err },
    );
  }
  if (code === 'SQLITE_TOOBIG') {
    return new CacheError('ERR_DOC_TOO_LARGE', `The document is larger than SQLite stores in one value (${why}). Lower maxDocBytes.`, { cause: err });
  }
  if (code.startsWith('SQLITE_FULL') || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM')) {
    return new CacheError('ERR_DIR_UNUSABLE', `SQLite cannot use ${path} (${why}). Check the free space and permissions of the cache directory.`, { cause: err });
  }
  return err;
}

function startsWithSqliteMagic(path: string): boolean {
  const head = Buffer.alloc(SQLITE_MAGIC.length);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    readSync(fd, head, 0, head.length, 0);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return head.toString('latin1') === SQLITE_MAGIC;
}

function foreign(path: string, why: string, cause?: unknown): CacheError {
  return new CacheError('ERR_POOL_FOREIGN', `${path} is not a storage-sqlite cache of this version: ${why}. Pick another name or dir, or move that file away.`, { cause });
}
