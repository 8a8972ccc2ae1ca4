import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { CacheError } from './errors.js';

/** A lock held by this process on some data; `release()` is idempotent. */
export interface ProcessLock {
  /** The lock file. */
  readonly path: string;
  /** Removes the lock file if this process still owns it. */
  release(): void;
}

/**
 * Takes an exclusive lock on `lockPath` for this process: a lock file naming the owner's pid,
 * the kernel boot id and the process start time, so that a lock left by a killed process (or a
 * process from before a reboot, or a recycled pid) is recognised as stale and taken over.
 * A second open in the same process is refused too, like PMDK's flock-based pool lock.
 * Node has no flock(2), hence a lock file rather than an advisory lock.
 */
export function acquireProcessLock(lockPath: string, what: string): ProcessLock {
  const me = ownerStamp(process.pid);
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx', 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new CacheError('ERR_DIR_UNUSABLE', `Cannot create the lock file ${lockPath} (${code}). Check the directory's permissions.`, { cause: err });
      }
      const holder = readHolder(lockPath);
      if (holder && isAlive(holder)) {
        const who = holder.pid === process.pid ? 'this process (another open cache)' : `process ${holder.pid}`;
        throw new CacheError('ERR_POOL_LOCKED', `${what} is in use by ${who}. Close it there first; one process owns it at a time.`);
      }
      try {
        unlinkSync(lockPath); // stale: its owner is gone
      } catch {
        /* someone else removed it first; try again */
      }
      continue;
    }
    try {
      writeSync(fd, me);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      path: lockPath,
      release() {
        if (released) return;
        released = true;
        try {
          if (readFileSync(lockPath, 'utf8') === me) unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      },
    };
  }
  throw new CacheError('ERR_POOL_LOCKED', `Could not take the lock ${lockPath}: others keep taking it. Retry later.`);
}

interface Holder {
  pid: number;
  bootId: string;
  start: string;
}

function ownerStamp(pid: number): string {
  return `${pid} ${bootId()} ${startTime(pid)}\n`;
}

function readHolder(path: string): Holder | undefined {
  try {
    const [pid, boot, start] = readFileSync(path, 'utf8').trim().split(' ');
    const n = Number(pid);
    return Number.isSafeInteger(n) && n > 0 ? { pid: n, bootId: boot ?? '', start: start ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(holder: Holder): boolean {
  if (holder.bootId !== bootId()) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = startTime(holder.pid);
  return start === '' || start === holder.start;
}

let cachedBootId: string | undefined;
function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = '';
    }
  }
  return cachedBootId;
}

/** Field 22 of /proc/PID/stat: start time in clock ticks since boot; tells a recycled pid apart. */
function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    if (state === 'Z' || state === 'X') return 'dead';
    return fields[19] ?? '';
  } catch {
    return '';
  }
}
