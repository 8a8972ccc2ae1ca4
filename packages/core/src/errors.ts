import { createRequire } from 'node:module';
/**
 * Every error a cache raises is a {@link CacheError} whose `code` is one of these.
 * Codes are stable: a code is never renamed or given a new meaning; new ones are only added
 * (here, and nowhere else).
 * @enum
 */
export const ErrorCode = {
  /** The key is not a non-empty, well-formed string of at most 1024 UTF-8 bytes. */
  ERR_INVALID_KEY: 'ERR_INVALID_KEY',
  /** The document is not a JSON value (undefined, NaN, a function, a cycle, a class instance...). */
  ERR_INVALID_DOC: 'ERR_INVALID_DOC',
  /** The encoded document is larger than `maxDocBytes`. */
  ERR_DOC_TOO_LARGE: 'ERR_DOC_TOO_LARGE',
  /** The cache cannot make room for the document even after evicting everything it may evict. */
  ERR_CAPACITY: 'ERR_CAPACITY',
  /** The pool or data files are ours but damaged. */
  ERR_POOL_CORRUPT: 'ERR_POOL_CORRUPT',
  /** The file is not ours: another program's file, another layout or another format version. */
  ERR_POOL_FOREIGN: 'ERR_POOL_FOREIGN',
  /** Another process (or another open cache in this process) holds the pool. */
  ERR_POOL_LOCKED: 'ERR_POOL_LOCKED',
  /** A native library or the adapter's addon is missing. */
  ERR_NATIVE_UNAVAILABLE: 'ERR_NATIVE_UNAVAILABLE',
  /** The directory cannot be created, read or written. */
  ERR_DIR_UNUSABLE: 'ERR_DIR_UNUSABLE',
  /** The cache was closed. */
  ERR_CLOSED: 'ERR_CLOSED',
  /** The remote tier (Redis) cannot be reached. */
  ERR_REMOTE_UNAVAILABLE: 'ERR_REMOTE_UNAVAILABLE',
  /** An option has the wrong type or is out of range. */
  ERR_INVALID_OPTION: 'ERR_INVALID_OPTION',
  /** The adapter does not offer this operation (see `capabilities`). */
  ERR_NOT_SUPPORTED: 'ERR_NOT_SUPPORTED',
} as const;

/** One of the {@link ErrorCode} values. */
export type CacheErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Every code, in the order of {@link ErrorCode}. */
export const ERROR_CODES: readonly CacheErrorCode[] = Object.freeze(Object.values(ErrorCode));

/** The one error class of pmem-modes: `code` is stable, `message` says what to do. */
export class CacheError extends Error {
  /** What went wrong, for programs: stable across versions (see {@link ErrorCode}). */
  readonly code: CacheErrorCode;

  constructor(code: CacheErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CacheError';
    this.code = code;
  }
}

/** True when `value` is a {@link CacheError}, and has `code` when one is given. */
export function isCacheError(value: unknown, code?: CacheErrorCode): value is CacheError {
  return value instanceof CacheError && (code === undefined || value.code === code);
}

/** The `ERR_CAPACITY` every adapter raises when a document cannot fit even in an empty cache. */
export function capacityError(needed: number, capacity: number): CacheError {
  return new CacheError(
    'ERR_CAPACITY',
    `The document needs ${needed} bytes with its key and overhead, more than this cache can free (capacity ${capacity} bytes). Raise capacityBytes or store smaller documents.`,
  );
}

/**
 * Loads a native addon (a `.node` file at an absolute path) for `adapter`; a missing file, or a
 * missing system library it links, becomes `ERR_NATIVE_UNAVAILABLE` with `install`, the commands
 * that fix it. Adapters call it on first open, so that importing them works everywhere.
 */
export function requireNativeAddon<T>(path: string, adapter: string, install: string): T {
  try {
    return createRequire(import.meta.url)(path) as T;
  } catch (cause) {
    const reason = String((cause as Error)?.message ?? cause).split('\n')[0];
    throw new CacheError('ERR_NATIVE_UNAVAILABLE', `The ${adapter} addon could not be loaded from ${path} (${reason}). ${install}`, { cause });
  }
}
