import { CacheError } from './errors.js';
import type { CacheOptions, Doc } from './types.js';

/** The longest key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/** `capacityBytes` when the option is not given: 64 MiB. */
export const DEFAULT_CAPACITY_BYTES = 64 * 1024 * 1024;
/** `maxDocBytes` when the option is not given: 1 MiB (or capacityBytes, if smaller). */
export const DEFAULT_MAX_DOC_BYTES = 1024 * 1024;
const NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

/**
 * Throws `ERR_INVALID_KEY` unless `key` is a non-empty, well-formed string of at most 1024 UTF-8
 * bytes. Any such string is a valid key (`../../etc/passwd`, NUL, `/`, emoji): adapters never use
 * keys as paths. Lone surrogates are refused because they cannot round-trip through UTF-8.
 */
export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new CacheError('ERR_INVALID_KEY', `A key must be a non-empty string, got ${describe(key)}.`);
  }
  // A UTF-16 length above 1024 may still fit (ASCII is 1 byte), but 3 bytes per unit is the most.
  if (key.length > MAX_KEY_BYTES / 3 && Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new CacheError(
      'ERR_INVALID_KEY',
      `A key is at most ${MAX_KEY_BYTES} UTF-8 bytes; this one has ${Buffer.byteLength(key, 'utf8')}. Hash long keys first.`,
    );
  }
  if (!key.isWellFormed()) {
    throw new CacheError('ERR_INVALID_KEY', 'A key must be well-formed Unicode; this one has a lone surrogate.');
  }
}

/** A document as stored: its JSON text and that text's length in UTF-8 bytes. */
export interface EncodedDoc {
  /** The JSON text. */
  json: string;
  /** Its UTF-8 length. */
  bytes: number;
}

/**
 * Encodes a document as JSON text, refusing anything that would not read back equal:
 * undefined, functions, symbols, bigints, NaN and infinities, cycles, and objects that are not
 * plain (Date, Map, class instances: JSON would silently change them).
 * Returns the text and its UTF-8 length.
 */
export function encodeDoc(doc: unknown, maxDocBytes: number): EncodedDoc {
  checkJsonValue(doc, [], '$');
  const json = JSON.stringify(doc);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxDocBytes) {
    throw new CacheError(
      'ERR_DOC_TOO_LARGE',
      `The document is ${bytes} bytes as JSON; this cache takes at most ${maxDocBytes} (option maxDocBytes).`,
    );
  }
  return { json, bytes };
}

/** Decodes what `encodeDoc` produced. */
export function decodeDoc(raw: string | Uint8Array): Doc {
  return JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
}

function checkJsonValue(value: unknown, stack: object[], path: string): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) invalidDoc(path, `${value} is not a JSON number`);
      return;
    case 'object': {
      if (value === null) return;
      if (stack.includes(value)) invalidDoc(path, 'the document refers to itself (a cycle)');
      stack.push(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) checkJsonValue(value[i], stack, `${path}[${i}]`);
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          invalidDoc(path, `a ${proto?.constructor?.name ?? 'non-plain'} object is not plain JSON (convert it first)`);
        }
        for (const k of Object.keys(value)) checkJsonValue((value as Record<string, unknown>)[k], stack, `${path}.${k}`);
      }
      stack.pop();
      return;
    }
    default:
      invalidDoc(path, `${typeof value} is not a JSON value`);
  }
}

function invalidDoc(path: string, why: string): never {
  throw new CacheError('ERR_INVALID_DOC', `Documents are JSON values; at ${path}: ${why}.`);
}

/** The shared options after checking, defaults filled in. */
export interface ResolvedLimits {
  /** Bound on documents and keys, in bytes. */
  capacityBytes: number;
  /** Largest encoded document, in bytes. */
  maxDocBytes: number;
  /** The cache's name inside its directory. */
  name: string;
}

/** Checks the options every adapter shares and fills in defaults. */
export function resolveLimits(options: CacheOptions): ResolvedLimits {
  const capacityBytes = options.capacityBytes ?? DEFAULT_CAPACITY_BYTES;
  checkPositiveInt('capacityBytes', capacityBytes);
  const maxDocBytes = options.maxDocBytes ?? Math.min(DEFAULT_MAX_DOC_BYTES, capacityBytes);
  checkPositiveInt('maxDocBytes', maxDocBytes);
  if (maxDocBytes > capacityBytes) {
    throw new CacheError('ERR_INVALID_OPTION', `maxDocBytes (${maxDocBytes}) cannot exceed capacityBytes (${capacityBytes}).`);
  }
  const name = options.name ?? 'default';
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new CacheError(
      'ERR_INVALID_OPTION',
      `Option name must be 1-64 characters of A-Z a-z 0-9 . _ - not starting with a dot; got ${describe(name)}.`,
    );
  }
  return { capacityBytes, maxDocBytes, name };
}

/** Throws `ERR_INVALID_OPTION` naming `option` unless `value` is a positive safe integer. */
export function checkPositiveInt(option: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new CacheError('ERR_INVALID_OPTION', `Option ${option} must be a positive integer, got ${describe(value)}.`);
  }
}

/** Refuses options the adapter does not know, naming the closest one (typos lose data silently). */
export function checkKnownOptions(adapter: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
      throw new CacheError(
        'ERR_INVALID_OPTION',
        near
          ? `Misspelled option "${key}" should be "${near}" (${adapter}).`
          : `Unknown option "${key}" for ${adapter}; it takes ${known.join(', ')}.`,
      );
    }
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (value === null) return 'null';
  return typeof value === 'object' ? (Array.isArray(value) ? 'an array' : 'an object') : `${typeof value} ${String(value)}`;
}
