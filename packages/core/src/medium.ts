import { mkdirSync, readFileSync, realpathSync, accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { CacheError } from './errors.js';
import type { Medium } from './types.js';

/** Where pmem-modes keeps its data when neither the `dir` option nor `PMEM_DIR` says otherwise. */
export const EMULATED_PMEM_DIR = '/dev/shm/pmem-modes';

/** The one setting every adapter takes its directory from: the option, else PMEM_DIR, else /dev/shm. */
export function resolveDir(dir?: string): string {
  if (dir !== undefined && (typeof dir !== 'string' || dir.length === 0)) {
    throw new CacheError('ERR_INVALID_OPTION', `Option dir must be a non-empty path, got ${typeof dir}.`);
  }
  return resolve(dir ?? (process.env.PMEM_DIR || EMULATED_PMEM_DIR));
}

/** Creates `dir` if needed and checks it is a writable directory; returns its real path. */
export function prepareDir(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
    return realpathSync(dir);
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new CacheError(
      'ERR_DIR_UNUSABLE',
      `Cannot use ${dir} as the cache directory (${reason}). Point the dir option or PMEM_DIR at a writable directory, e.g. a DAX mount or /dev/shm.`,
      { cause },
    );
  }
}

interface Mount {
  mountPoint: string;
  fsType: string;
  options: string[];
}

function readMounts(): Mount[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const l = left.split(' ');
    const r = right.split(' ');
    const mountPoint = unescapeMount(l[4] ?? '');
    const fsType = r[0] ?? '';
    const options = `${l[5] ?? ''},${r[2] ?? ''}`.split(',');
    mounts.push({ mountPoint, fsType, options });
  }
  return mounts;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * Tells what holds `path`: a DAX filesystem (real persistent memory), tmpfs emulating one, or an
 * ordinary filesystem. Reads the mount table; the longest mount point that contains the path wins.
 */
export function detectMedium(path: string): Medium {
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    /* not created yet: judge by the path as given */
  }
  let best: Mount | undefined;
  for (const m of readMounts()) {
    const inside = real === m.mountPoint || real.startsWith(m.mountPoint.endsWith('/') ? m.mountPoint : `${m.mountPoint}/`);
    if (inside && (!best || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  const filesystem = best?.fsType ?? 'unknown';
  const mountPoint = best?.mountPoint;
  const dax = best?.options.some((o) => o === 'dax' || o === 'dax=always') ?? false;
  if (dax) {
    return { kind: 'dax', path: real, filesystem, mountPoint, description: `DAX ${filesystem} at ${mountPoint}: persistent memory mapped directly` };
  }
  if (filesystem === 'tmpfs' || filesystem === 'ramfs') {
    return {
      kind: 'emulated',
      path: real,
      filesystem,
      mountPoint,
      description: `${filesystem} at ${mountPoint} emulating a DAX filesystem: DRAM speed, survives process crashes, not power loss`,
    };
  }
  return { kind: 'disk', path: real, filesystem, mountPoint, description: `${filesystem} at ${mountPoint ?? '?'}: block storage through the page cache, not persistent memory` };
}

/** The medium of adapters that keep everything in the process heap. */
export const DRAM_MEDIUM: Medium = Object.freeze({ kind: 'dram', description: 'the process heap (DRAM): fastest, lost on close' });

/**
 * Sets `PMEM_IS_PMEM_FORCE=1` when `medium` is emulated (tmpfs) and the user has not set it, and
 * says whether it did. PMDK (libpmem, libpmemobj) reads the variable once, when it loads, so call
 * this before loading a native addon: on tmpfs PMDK would otherwise flush with msync, while with
 * it PMDK takes the CPU cache-flush path that real pmem takes. The user's own setting always wins.
 */
export function emulatePmemFlushes(medium: Medium): boolean {
  if (medium.kind !== 'emulated' || process.env.PMEM_IS_PMEM_FORCE !== undefined) return false;
  process.env.PMEM_IS_PMEM_FORCE = '1';
  return true;
}
