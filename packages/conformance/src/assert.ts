import { expect } from 'vitest';
import type { CacheErrorCode, Doc } from '@pmem-modes/core';

export { snapshot } from './snapshot.js';

/** An error carrying a code, as {@link expectCode} returns it. */
export interface CodedError extends Error {
  /** The error's code. */
  code: string;
}

/** Expects `run` to throw or reject with a CacheError of `code`; returns the error. */
export async function expectCode(run: () => unknown, code: CacheErrorCode): Promise<CodedError> {
  let error: unknown;
  try {
    await run();
  } catch (err) {
    error = err;
  }
  expect(error, `expected ${code}`).toBeInstanceOf(Error);
  const e = error as Error & { code: string };
  expect(e.name).toBe('CacheError');
  expect(e.code).toBe(code);
  expect(e.message.length).toBeGreaterThan(10);
  return e;
}

/** What a document reads back as: its JSON round trip. */
export function roundTrip(doc: Doc): Doc {
  return JSON.parse(JSON.stringify(doc));
}

/** A document of about `bytes` bytes of JSON. */
export function docOfSize(bytes: number, tag = 0): Doc {
  return { tag, pad: 'x'.repeat(Math.max(0, bytes - 20 - String(tag).length)) };
}
