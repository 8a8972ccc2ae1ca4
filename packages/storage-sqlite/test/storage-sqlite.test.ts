/** storage-sqlite only: files that are not ours, damaged databases, the synchronous option, locking. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { resolveDir } from '@pmem-modes/core';
import { expectCode, snapshot } from '@pmem-modes/conformance';
import { openCache, type StorageSqliteCache, type StorageSqliteOptions } from '@pmem-modes/storage-sqlite';

const root = join(resolveDir(), 'storage-sqlite-test');
mkdirSync(root, { recursive: true });
const made: string[] = [];
const opened: StorageSqliteCache[] = [];

function freshDir(): string {
  const dir = mkdtempSync(join(root, 'case-'));
  made.push(dir);
  return dir;
}

async function open(dir: string, options: StorageSqliteOptions = {}): Promise<StorageSqliteCache> {
  const cache = await openCache({ dir, ...options });
  opened.push(cache);
  return cache;
}

const dbOf = (dir: string) => join(dir, 'storage-sqlite-default.db');

/** A closed cache database of `count` documents of about 1 KiB. */
async function filledDb(count: number): Promise<string> {
  const dir = freshDir();
  const cache = await openCache({ dir });
  for (let i = 0; i < count; i++) await cache.set(`k${i}`, { i, pad: 'p'.repeat(1000) });
  await cache.close();
  return dir;
}

function overwrite(path: string, offset: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('storage-sqlite: files that are not ours', () => {
  it('a file that is not SQLite fails with ERR_POOL_FOREIGN and is left unchanged', async () => {
    const dir = freshDir();
    writeFileSync(dbOf(dir), 'name,value\nnot,sqlite\n'.repeat(50));
    const before = readFileSync(dbOf(dir));
    await expectCode(() => openCache({ dir }), 'ERR_POOL_FOREIGN');
    expect(readFileSync(dbOf(dir))).toEqual(before);
  });

  it("another program's SQLite database fails with ERR_POOL_FOREIGN and is left unchanged", async () => {
    const dir = freshDir();
    const other = new Database(dbOf(dir));
    other.exec("CREATE TABLE docs (key TEXT, doc TEXT, size INTEGER); INSERT INTO docs VALUES ('k', '1', 2)");
    other.close();
    const before = readFileSync(dbOf(dir));
    const e = await expectCode(() => openCache({ dir }), 'ERR_POOL_FOREIGN');
    expect(e.message).toMatch(/another program's SQLite database/);
    expect(readFileSync(dbOf(dir))).toEqual(before);
  });

  it('a storage-sqlite database of another format version fails with ERR_POOL_FOREIGN naming both', async () => {
    const dir = await filledDb(1);
    const db = new Database(dbOf(dir));
    db.pragma('user_version = 2');
    db.close();
    const e = await expectCode(() => openCache({ dir }), 'ERR_POOL_FOREIGN');
    expect(e.message).toMatch(/format 2; this version reads format 1/);
  });
});

describe('storage-sqlite: damaged databases', () => {
  it('garbage over the table pages fails open with ERR_POOL_CORRUPT', async () => {
    const dir = await filledDb(100);
    const size = readFileSync(dbOf(dir)).length;
    overwrite(dbOf(dir), 4096, Buffer.alloc(size - 4096, 0xab));
    const e = await expectCode(() => openCache({ dir }), 'ERR_POOL_CORRUPT');
    expect(e.message).toMatch(/delete it/);
  });

  it('a SQLite header with its page size destroyed fails with ERR_POOL_CORRUPT, not FOREIGN', async () => {
    const dir = await filledDb(3);
    overwrite(dbOf(dir), 16, Buffer.alloc(84, 0xff));
    await expectCode(() => openCache({ dir }), 'ERR_POOL_CORRUPT');
  });
});

describe('storage-sqlite: the synchronous option', () => {
  it("defaults to FULL on the connection, and 'normal' sets NORMAL", async () => {
    expect((await open(freshDir())).synchronous).toBe('full');
    expect((await open(freshDir(), { synchronous: 'normal' })).synchronous).toBe('normal');
    expect((await open(freshDir(), { synchronous: 'full' })).synchronous).toBe('full');
  });

  it('refuses any other value with ERR_INVALID_OPTION', async () => {
    const e = await expectCode(() => openCache({ dir: freshDir(), synchronous: 'off' as never }), 'ERR_INVALID_OPTION');
    expect(e.message).toMatch(/'full' or 'normal'/);
    await expectCode(() => openCache({ dir: freshDir(), synchronous: 'FULL' as never }), 'ERR_INVALID_OPTION');
  });

  it("with 'normal', writes acknowledged before a SIGKILL are all there after reopen (recovered from the WAL)", async () => {
    const dir = freshDir();
    const script = `
      const { openCache } = await import('@pmem-modes/storage-sqlite');
      const cache = await openCache(JSON.parse(process.argv[1]));
      for (let i = 0; i < 300; i++) await cache.set('k' + i, { i });
      process.stdout.write('done\\n');
      setInterval(() => undefined, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, JSON.stringify({ dir, synchronous: 'normal' })], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    for await (const line of createInterface({ input: child.stdout })) if (line === 'done') break;
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(`${dbOf(dir)}-wal`)).toBe(true); // not checkpointed: the writes are only in the WAL
    const cache = await open(dir, { synchronous: 'normal' });
    expect(cache.stats().count).toBe(300);
    expect(await cache.get('k299')).toEqual({ i: 299 });
  });
});

describe('storage-sqlite: without better-sqlite3', () => {
  it('import still works and openCache rejects with ERR_NATIVE_UNAVAILABLE saying how to build it', async () => {
    // A resolve hook that makes better-sqlite3 missing, as after an install whose build failed.
    const hide = `export async function resolve(specifier, context, next) {
      if (specifier === 'better-sqlite3') throw Object.assign(new Error('Cannot find package better-sqlite3'), { code: 'ERR_MODULE_NOT_FOUND' });
      return next(specifier, context);
    }`;
    const script = `
      import { register } from 'node:module';
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hide)}));
      const { openCache, ADAPTER } = await import('@pmem-modes/storage-sqlite');
      try {
        await openCache({ dir: process.argv[1] });
        console.log(JSON.stringify({ ADAPTER, opened: true }));
      } catch (e) {
        console.log(JSON.stringify({ ADAPTER, code: e.code, message: e.message }));
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, freshDir()], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    for await (const line of createInterface({ input: child.stdout })) out += line;
    const result = JSON.parse(out) as { ADAPTER: string; code?: string; message?: string };
    expect(result.ADAPTER).toBe('storage-sqlite');
    expect(result.code).toBe('ERR_NATIVE_UNAVAILABLE');
    expect(result.message).toMatch(/npm rebuild better-sqlite3.*apt-get install build-essential python3/);
  });
});

describe('storage-sqlite: locking and layout', () => {
  it('a database held by another SQLite program fails with ERR_POOL_LOCKED at once', async () => {
    const dir = await filledDb(1);
    const other = new Database(dbOf(dir));
    other.exec('BEGIN EXCLUSIVE');
    try {
      const started = Date.now();
      await expectCode(() => openCache({ dir }), 'ERR_POOL_LOCKED');
      expect(Date.now() - started).toBeLessThan(4000); // no busy wait (better-sqlite3's default is 5 s)
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const reopened = await open(dir);
    expect(await reopened.get('k0')).toEqual({ i: 0, pad: 'p'.repeat(1000) });
    // Reopening an existing database takes the lock at open too, not only at the first write.
    await expectCode(() => openCache({ dir }), 'ERR_POOL_LOCKED');
  });

  it('keeps docs(key, doc TEXT, size) under its application_id, readable by any SQLite tool', async () => {
    const dir = freshDir();
    const cache = await open(dir);
    await cache.set('user:1', { name: 'Ada' });
    await cache.close();
    const db = new Database(dbOf(dir), { readonly: true });
    try {
      expect(db.pragma('application_id', { simple: true })).toBe(0x504d4d43);
      expect(db.prepare('SELECT key, doc, typeof(doc) AS type, size FROM docs').all()).toEqual([
        { key: 'user:1', doc: '{"name":"Ada"}', type: 'text', size: 20 },
      ]);
    } finally {
      db.close();
    }
  });

  it('recency across a reopen is write order: the document written longest ago is evicted first', async () => {
    const dir = freshDir();
    const capacityBytes = 256 * 1024;
    const doc = { pad: 'd'.repeat(60 * 1024) };
    const first = await open(dir, { capacityBytes });
    for (const key of ['a', 'b', 'c', 'd']) await first.set(key, doc);
    await first.set('a', doc); // rewritten: now the newest
    await first.close();
    const second = await open(dir, { capacityBytes });
    await second.set('e', doc);
    expect(Object.keys(await snapshot(second))).toEqual(['a', 'c', 'd', 'e']);
    expect(second.stats().evictions).toBe(1);
  });
});
