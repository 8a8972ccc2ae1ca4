import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Doc, DocumentCache } from '@pmem-modes/core';
import type { SuiteContext } from '../config.js';
import { roundTrip, snapshot } from '../assert.js';
import { HOSTILE_KEYS } from './hostile.js';

type Model = Map<string, Doc>;

/** One step of a random history, applied to the adapter and to a plain Map, then compared. */
type Step =
  | { op: 'set'; key: string; doc: Doc }
  | { op: 'get' | 'delete' | 'has'; key: string }
  | { op: 'clear' | 'keys' | 'reopen' };

async function apply(step: Step, cache: DocumentCache, model: Model): Promise<void> {
  switch (step.op) {
    case 'set':
      await cache.set(step.key, step.doc);
      model.set(step.key, roundTrip(step.doc));
      return;
    case 'get':
      expect(await cache.get(step.key)).toEqual(model.get(step.key));
      return;
    case 'has':
      expect(await cache.has(step.key)).toBe(model.has(step.key));
      return;
    case 'delete':
      expect(await cache.delete(step.key)).toBe(model.delete(step.key));
      return;
    case 'clear':
      await cache.clear();
      model.clear();
      return;
    case 'keys': {
      const keys: string[] = [];
      for await (const k of cache.keys()) keys.push(k);
      expect(keys.sort()).toEqual([...model.keys()].sort());
      expect(cache.stats().count).toBe(model.size);
      return;
    }
    case 'reopen':
      return; // handled by the runner: it needs to swap the cache
  }
}

/** Random operation sequences against the adapter and a Map; capacity is large enough not to evict. */
export function modelSection(ctx: SuiteContext): void {
  const { persistent } = ctx.config.capabilities;
  describe('model-based: random histories agree with a Map', () => {
    it('get/set/delete/has/clear/keys (and reopen, for persistent adapters) match the model', async () => {
      const key = fc.oneof(fc.constantFrom('a', 'b', 'c', ...HOSTILE_KEYS.slice(0, 12)), fc.string({ minLength: 1, maxLength: 8 }));
      const step: fc.Arbitrary<Step> = fc.oneof(
        { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), key, doc: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Doc> }) },
        { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'delete' as const, 'has' as const), key }) },
        { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('clear' as const, 'keys' as const, 'reopen' as const) }) },
      );
      await fc.assert(
        fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
          const dir = ctx.freshDir();
          let cache = await ctx.open({ capacityBytes: 32 * 1024 * 1024 }, dir);
          const model: Model = new Map();
          for (const s of steps) {
            if (s.op === 'reopen') {
              await cache.close();
              cache = await ctx.open({ capacityBytes: 32 * 1024 * 1024 }, dir);
              if (!persistent) model.clear();
            } else {
              await apply(s, cache, model);
            }
          }
          expect(await snapshot(cache)).toEqual(Object.fromEntries([...model].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
          await cache.close();
        }),
        { numRuns: 40 },
      );
    });
  });
}
