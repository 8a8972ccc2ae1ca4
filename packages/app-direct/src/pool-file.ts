/**
 * The pool file before PMDK touches it: creating it atomically, telling a foreign file from a
 * damaged one by its header, and the check that runs in a child process after an unclean
 * shutdown (PMDK's own open and check can crash on a garbage lane area). Nothing here writes to
 * an existing pool file.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, linkSync, openSync, readSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CacheError } from '@pmem-modes/core';
import type { NativeAddon } from './native.js';
import { MIN_POOL_BYTES } from './sizing.js';

/** The layout name in the pool header, with the format version (native/layout.h kLayoutName). */
export const FORMAT_VERSION = 1;
const LAYOUT_PREFIX = 'pmem-modes/app-direct/v';
export const LAYOUT_NAME = `${LAYOUT_PREFIX}${FORMAT_VERSION}`;
/** PMDK's pool header: the signature at offset 0, an obj pool's layout name at 4096. */
const OBJ_SIGNATURE = 'PMEMOBJ\0';
const LAYOUT_OFFSET = 4096;
const LAYOUT_MAX = 1024;

// Compiled code, also when this module runs from src/ (tests): the child is plain node.
const CHECK_SCRIPT = fileURLToPath(new URL('../dist/check-child.js', import.meta.url));

/**
 * Creates the pool at `path` if no file is there: formatted under a temporary name, then linked
 * into place (link never replaces an existing file), so a crash during creation never leaves a
 * half-made pool under the real name. Returns false if another process created it first.
 */
export function createPoolFile(native: NativeAddon, path: string, poolBytes: number, bucketCount: number): boolean {
  const temp = `${path}.creating-${process.pid}`;
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      ftruncateSync(fd, poolBytes);
    } finally {
      closeSync(fd);
    }
    native.createPool(temp, bucketCount);
    linkSync(temp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    if (err instanceof CacheError) throw err;
    throw new CacheError('ERR_DIR_UNUSABLE', `Cannot create the pool ${path}: ${(err as Error).message}. Check the directory's permissions and free space.`, {
      cause: err,
    });
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      /* never created */
    }
  }
}

/**
 * Reads the header of the existing file at `path` without opening it as a pool: a file that is
 * not a libpmemobj pool, or one of another layout, is ERR_POOL_FOREIGN; ours but cut short is
 * ERR_POOL_CORRUPT. What the header cannot tell is left to PMDK's open and our root checks.
 */
export function classifyPoolFile(path: string): void {
  const size = statSync(path).size;
  const head = Buffer.alloc(LAYOUT_OFFSET + LAYOUT_MAX);
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (read < OBJ_SIGNATURE.length || head.toString('latin1', 0, OBJ_SIGNATURE.length) !== OBJ_SIGNATURE) {
    throw new CacheError(
      'ERR_POOL_FOREIGN',
      `${path} is not a libpmemobj pool (${size} bytes, no PMEMOBJ signature). It was left untouched; move it away or choose another name or dir.`,
    );
  }
  if (read < head.length) {
    throw new CacheError('ERR_POOL_CORRUPT', `${path} is a libpmemobj pool cut short at ${size} bytes. It was left untouched; delete it to start an empty cache.`);
  }
  const layoutBytes = head.subarray(LAYOUT_OFFSET, LAYOUT_OFFSET + LAYOUT_MAX);
  const end = layoutBytes.indexOf(0);
  const layout = layoutBytes.toString('utf8', 0, end < 0 ? LAYOUT_MAX : end);
  if (layout.startsWith(LAYOUT_PREFIX) && layout !== LAYOUT_NAME) {
    throw new CacheError(
      'ERR_POOL_FOREIGN',
      `${path} is an app-direct pool of format ${layout.slice(LAYOUT_PREFIX.length - 1, 80)}; this version of @pmem-modes/app-direct reads v${FORMAT_VERSION}. It was left untouched; open it with the version that wrote it, or choose another name or dir.`,
    );
  }
  if (layout !== LAYOUT_NAME) {
    throw new CacheError(
      'ERR_POOL_FOREIGN',
      `${path} is a libpmemobj pool of another program (layout ${JSON.stringify(layout.slice(0, 80))}, not ${LAYOUT_NAME}). It was left untouched; choose another name or dir.`,
    );
  }
  if (size < MIN_POOL_BYTES) {
    throw new CacheError('ERR_POOL_CORRUPT', `${path} is an app-direct pool cut short at ${size} bytes. It was left untouched; delete it to start an empty cache.`);
  }
}

/**
 * The marker that says a process has the pool open. Found at open time, it means the last user
 * did not close cleanly (a crash, a kill), so the pool is checked in a child process first.
 */
export function openMarkerPath(poolPath: string): string {
  return `${poolPath}.open`;
}

export function markOpen(poolPath: string): void {
  writeFileSync(openMarkerPath(poolPath), `${process.pid}\n`);
}

export function markClosed(poolPath: string): void {
  try {
    unlinkSync(openMarkerPath(poolPath));
  } catch {
    /* already gone */
  }
}

export function wasClosedCleanly(poolPath: string): boolean {
  return !existsSync(openMarkerPath(poolPath));
}

/**
 * Runs PMDK's consistency check (on a private, copy-on-write mapping) in a child process, so
 * that a pool whose lanes are garbage crashes the child, not this process.
 */
export function checkInChild(path: string): void {
  const child = spawnSync(process.execPath, [CHECK_SCRIPT, path], { encoding: 'utf8', timeout: 120_000 });
  const answer = (child.stdout ?? '').trim();
  if (child.status === 0 && answer === 'consistent') return;
  const how = child.signal
    ? `PMDK crashed (${child.signal}) checking it`
    : child.error
      ? `the check could not run (${child.error.message})`
      : `PMDK's check says: ${answer || (child.stderr ?? '').trim().split('\n')[0] || `exit ${child.status}`}`;
  throw new CacheError(
    'ERR_POOL_CORRUPT',
    `${path} was not closed cleanly and ${how}. It was left untouched; restore it from a copy or delete it to start an empty cache.`,
  );
}
