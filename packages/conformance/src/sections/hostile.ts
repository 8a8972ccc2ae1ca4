import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Doc } from '@pmem-modes/core';
import type { SuiteContext } from '../config.js';
import { roundTrip, snapshot } from '../assert.js';

/** Keys that break adapters which use keys as paths, SQL, or C strings. All are valid keys. */
export const HOSTILE_KEYS: readonly string[] = [
  '../../etc/passwd',
  '..',
  '.',
  '/',
  '/absolute/path',
  'a/b/../../c',
  '..\\..\\windows',
  'C:\\x',
  '\0',
  'nul\0inside',
  '\n',
  ' ',
  '%2e%2e%2f',
  "'; DROP TABLE docs; --",
  '*',
  'CON',
  '😀',
  'e\u0301', // NFD é: a different key from the NFC one below
  '\u00e9',
  '\uFEFFbom',
  '\u202Eright-to-left',
  'a'.repeat(1024),
  '€'.repeat(341), // 1023 bytes of 3-byte characters
];

/** Documents of every JSON shape. */
export const DOC_SHAPES: ReadonlyArray<[string, Doc]> = [
  ['null', null],
  ['true', true],
  ['false', false],
  ['zero', 0],
  ['negative float', -1.5],
  ['large number', 1e300],
  ['max safe integer', Number.MAX_SAFE_INTEGER],
  ['empty string', ''],
  ['string with NUL and emoji', 'a\0b 😀 \u2028'],
  ['empty array', []],
  ['empty object', {}],
  ['array of mixed', [1, 'two', null, false, { three: [3] }]],
  ['object with odd keys', JSON.parse('{"__proto__": {"polluted": true}, "": 1, "a.b": 2, "constructor": 3}') as Doc],
  ['deep nesting', JSON.parse('['.repeat(200) + ']'.repeat(200)) as Doc],
  ['wide object', Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, i]))],
  ['negative zero (reads back as 0)', -0],
];

export function hostileSection(ctx: SuiteContext): void {
  describe('hostile keys and every JSON shape', () => {
    it('hostile keys are stored and read back as distinct keys, and nothing is written outside dir', async () => {
      const dir = ctx.freshDir();
      const outside = readdirSync(dirname(dir)).sort();
      const cache = await ctx.open({}, dir);
      for (const [i, key] of HOSTILE_KEYS.entries()) await cache.set(key, { i });
      const got = await snapshot(cache);
      expect(Object.keys(got).sort()).toEqual([...HOSTILE_KEYS].sort());
      for (const [i, key] of HOSTILE_KEYS.entries()) expect(got[key]).toEqual({ i });
      expect(readdirSync(dirname(dir)).sort()).toEqual(outside);
      for (const key of HOSTILE_KEYS) expect(await cache.delete(key)).toBe(true);
      expect(cache.stats().count).toBe(0);
    });

    it('documents of every JSON shape round-trip', async () => {
      const cache = await ctx.open();
      for (const [name, doc] of DOC_SHAPES) await cache.set(name, doc);
      for (const [name, doc] of DOC_SHAPES) expect(await cache.get(name), name).toEqual(roundTrip(doc));
      const odd = (await cache.get('object with odd keys')) as Record<string, unknown>;
      expect(Object.getOwnPropertyNames(odd)).toContain('__proto__');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
}
