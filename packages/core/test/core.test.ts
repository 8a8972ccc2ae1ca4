import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  CacheError,
  ERROR_CODES,
  LruIndex,
  acquireProcessLock,
  checkKey,
  detectMedium,
  emulatePmemFlushes,
  encodeDoc,
  requireNativeAddon,
  resolveDir,
  resolveLimits,
  EMULATED_PMEM_DIR,
} from '@pmem-modes/core';

describe('CacheError', () => {
  it('carries a stable code and is an Error', () => {
    const e = new CacheError('ERR_CLOSED', 'closed');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('CacheError');
    expect(e.code).toBe('ERR_CLOSED');
  });

  it('keeps the codes the contract names, each once', () => {
    for (const code of ['ERR_INVALID_KEY', 'ERR_INVALID_DOC', 'ERR_DOC_TOO_LARGE', 'ERR_CAPACITY', 'ERR_POOL_CORRUPT', 'ERR_POOL_FOREIGN', 'ERR_POOL_LOCKED', 'ERR_NATIVE_UNAVAILABLE', 'ERR_DIR_UNUSABLE', 'ERR_CLOSED', 'ERR_REMOTE_UNAVAILABLE']) {
      expect(ERROR_CODES).toContain(code);
    }
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });
});

describe('checkKey and encodeDoc', () => {
  it('counts key length in UTF-8 bytes, not characters', () => {
    expect(() => checkKey('€'.repeat(341))).not.toThrow(); // 1023 bytes
    expect(() => checkKey('€'.repeat(342))).toThrow(/1024 UTF-8 bytes/);
  });

  it('encodes JSON and reports its UTF-8 size', () => {
    expect(encodeDoc({ a: 'é' }, 100)).toEqual({ json: '{"a":"é"}', bytes: 10 });
  });

  it('names the path of the offending value', () => {
    expect(() => encodeDoc({ list: [1, { bad: NaN }] }, 1000)).toThrow(/\$\.list\[1\]\.bad/);
  });

  it('accepts shared (non-cyclic) references', () => {
    const shared = { x: 1 };
    expect(encodeDoc({ a: shared, b: shared }, 1000).json).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(encodeDoc(bare, 100).json).toBe('{"a":1}');
  });
});

describe('options', () => {
  it('defaults maxDocBytes to 1 MiB, or capacityBytes when smaller', () => {
    expect(resolveLimits({}).maxDocBytes).toBe(1024 * 1024);
    expect(resolveLimits({ capacityBytes: 1000 }).maxDocBytes).toBe(1000);
  });

  it('takes the directory from the option, else PMEM_DIR, else the emulated pmem dir', () => {
    const saved = process.env.PMEM_DIR;
    try {
      delete process.env.PMEM_DIR;
      expect(resolveDir()).toBe(EMULATED_PMEM_DIR);
      process.env.PMEM_DIR = '/mnt/pmem0/app';
      expect(resolveDir()).toBe('/mnt/pmem0/app');
      expect(resolveDir('/elsewhere')).toBe('/elsewhere');
    } finally {
      if (saved === undefined) delete process.env.PMEM_DIR;
      else process.env.PMEM_DIR = saved;
    }
  });
});

describe('detectMedium', () => {
  it('recognises /dev/shm as tmpfs emulating a DAX filesystem', () => {
    const m = detectMedium('/dev/shm');
    expect(m.kind).toBe('emulated');
    expect(m.filesystem).toBe('tmpfs');
  });

  it('recognises an ordinary filesystem as disk', () => {
    expect(detectMedium(process.cwd()).kind).toMatch(/disk|emulated/);
    expect(detectMedium('/proc').kind).toBe('disk');
  });
});

describe('requireNativeAddon', () => {
  it('turns a missing addon into ERR_NATIVE_UNAVAILABLE that names the fix', () => {
    expect(() => requireNativeAddon('/nonexistent/addon.node', 'test-adapter', 'Run `apt-get install libfoo-dev`.')).toThrow(
      expect.objectContaining({ code: 'ERR_NATIVE_UNAVAILABLE', message: expect.stringMatching(/test-adapter.*apt-get install libfoo-dev/) }),
    );
  });
});

describe('emulatePmemFlushes', () => {
  it('sets PMEM_IS_PMEM_FORCE=1 only on an emulated medium, never over a setting of its own', () => {
    const saved = process.env.PMEM_IS_PMEM_FORCE;
    try {
      delete process.env.PMEM_IS_PMEM_FORCE;
      expect(emulatePmemFlushes(detectMedium('/proc'))).toBe(false);
      expect(process.env.PMEM_IS_PMEM_FORCE).toBeUndefined();
      expect(emulatePmemFlushes(detectMedium('/dev/shm'))).toBe(true);
      expect(process.env.PMEM_IS_PMEM_FORCE).toBe('1');
      process.env.PMEM_IS_PMEM_FORCE = '0';
      expect(emulatePmemFlushes(detectMedium('/dev/shm'))).toBe(false);
      expect(process.env.PMEM_IS_PMEM_FORCE).toBe('0');
    } finally {
      if (saved === undefined) delete process.env.PMEM_IS_PMEM_FORCE;
      else process.env.PMEM_IS_PMEM_FORCE = saved;
    }
  });
});

describe('acquireProcessLock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pmem-modes-lock-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second lock in the same process and frees it on release', () => {
    const path = join(dir, 'a.lock');
    const lock = acquireProcessLock(path, 'the cache');
    expect(() => acquireProcessLock(path, 'the cache')).toThrow(expect.objectContaining({ code: 'ERR_POOL_LOCKED' }));
    lock.release();
    lock.release();
    expect(existsSync(path)).toBe(false);
    acquireProcessLock(path, 'the cache').release();
  });

  it('takes over the lock of a process that is gone', () => {
    const path = join(dir, 'b.lock');
    const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)']);
    const deadPid = Number(child.stdout.toString().trim());
    writeFileSync(path, `${deadPid} ${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()} 1\n`);
    const lock = acquireProcessLock(path, 'the cache');
    expect(readFileSync(path, 'utf8').startsWith(`${process.pid} `)).toBe(true);
    lock.release();
  });

  it('treats a lock from another boot as stale', () => {
    const path = join(dir, 'c.lock');
    writeFileSync(path, `1 not-this-boot 1\n`); // pid 1 is alive, but in another boot
    acquireProcessLock(path, 'the cache').release();
  });
});

describe('LruIndex', () => {
  it('picks least recently used victims, sparing the key being replaced', () => {
    const lru = new LruIndex<{ size: number }>();
    lru.set('a', { size: 4 });
    lru.set('b', { size: 4 });
    lru.set('c', { size: 4 });
    lru.touch('a');
    expect(lru.victimsFor('d', 4, 12)).toEqual(['b']);
    expect(lru.victimsFor('c', 8, 12)).toEqual(['b']);
    expect(lru.victimsFor('d', 13, 12)).toBeUndefined();
    expect(lru.bytes).toBe(12);
  });

  it('set() returns the entry it replaced, so a caller can release it without a second lookup', () => {
    const lru = new LruIndex<{ size: number; at: number }>();
    expect(lru.set('a', { size: 4, at: 1 })).toBeUndefined();
    expect(lru.set('a', { size: 6, at: 2 })).toEqual({ size: 4, at: 1 });
    expect(lru.bytes).toBe(6);
    expect(lru.count).toBe(1);
  });
});
