/**
 * Coherence across processes: what one process writes through Redis is never served stale from
 * another's local tier, while it runs and across its restart; with Redis down nothing is served
 * from a local tier that may have missed changes, and writes fail without changing either tier.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDir, type DocumentCache } from '@pmem-modes/core';
import { expectCode } from '@pmem-modes/conformance';
import { openCache, tierStats, type RedisTarget } from '@pmem-modes/hybrid-tiered';
import { freePort, startRedis, startRedisCluster } from '../../../tools/redis.mjs';
import { ClientProcess } from './client.js';
import { LOCAL_TIERS } from './local-tiers.js';

const root = mkdtempSync(join(resolveDir(), 'hybrid-tiered-coherence-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, String(++dirs));

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const TOPOLOGIES: Array<{ name: string; start(): Promise<{ target: RedisTarget; stop(): Promise<void> }> }> = [
  { name: 'standalone Redis', start: async () => startRedis().then((r) => ({ target: r.url, stop: r.stop })) },
  { name: '3-master Redis Cluster', start: async () => startRedisCluster(3).then((c) => ({ target: { nodes: c.urls }, stop: c.stop })) },
];

for (const topology of TOPOLOGIES) {
  describe(`two processes on ${topology.name}`, () => {
    let redis: { target: RedisTarget; stop(): Promise<void> } | undefined;
    beforeAll(async () => {
      redis = await topology.start();
    });
    afterAll(() => redis?.stop());

    for (const tier of LOCAL_TIERS) {
      describe.skipIf(tier.unavailable !== undefined)(`local tier ${tier.module}${tier.unavailable ? ` (unavailable: ${tier.unavailable})` : ''}`, () => {
        const optionsFor = (dir: string, keyPrefix: string) => ({ dir, redis: redis!.target, keyPrefix, local: tier.module });

        it('A caches a document, B overwrites it through Redis: A returns B\'s version every time', async () => {
          const prefix = `live-${dirs}:`;
          const a = new ClientProcess(optionsFor(freshDir(), prefix));
          const b = new ClientProcess(optionsFor(freshDir(), prefix));
          try {
            await Promise.all([a.opened(), b.opened()]);
            await a.set('doc', { by: 'A', n: 0 });
            expect(await a.get('doc')).toEqual({ by: 'A', n: 0 });
            const warm = await a.tier();
            expect(warm.localHits).toBe(1); // A's own write is in its local tier
            for (let n = 1; n <= 10; n++) {
              await b.set('doc', { by: 'B', n });
              expect(await a.get('doc')).toEqual({ by: 'B', n });
              expect(await a.get('doc')).toEqual({ by: 'B', n }); // now from A's local tier again
              await a.set('doc', { by: 'A', n });
              expect(await b.get('doc')).toEqual({ by: 'A', n });
            }
            const after = await a.tier();
            expect(after.invalidations).toBeGreaterThanOrEqual(10);
            expect(after.localHits).toBeGreaterThanOrEqual(warm.localHits + 10);
          } finally {
            await Promise.all([a.kill(), b.kill()]);
          }
        });

        it('A is killed, B overwrites meanwhile, restarted A returns B\'s version', async () => {
          const prefix = `restart-${dirs}:`;
          const dirA = freshDir();
          const first = new ClientProcess(optionsFor(dirA, prefix));
          const b = new ClientProcess(optionsFor(freshDir(), prefix));
          try {
            await Promise.all([first.opened(), b.opened()]);
            await first.set('doc', { by: 'A' });
            await first.set('kept', { by: 'A', untouched: true });
            expect(await first.get('doc')).toEqual({ by: 'A' });
            await first.kill();

            await b.set('doc', { by: 'B' });

            const again = new ClientProcess(optionsFor(dirA, prefix));
            try {
              await again.opened();
              expect(await again.get('doc')).toEqual({ by: 'B' });
              expect(await again.get('kept')).toEqual({ by: 'A', untouched: true });
              const stats = await again.tier();
              if (tier.persistent) {
                // The warm local tier came back: the changed entry was dropped at open, the other served locally.
                expect(stats.lastRevalidation).toMatchObject({ checked: 2, dropped: 1 });
                expect(stats.localHits).toBe(1);
              } else {
                expect(stats.lastRevalidation.checked).toBe(0);
                expect(stats.localHits).toBe(0);
              }
            } finally {
              await again.kill();
            }
          } finally {
            await Promise.all([first.kill(), b.kill()]);
          }
        });
      });
    }
  });
}

describe('Redis unreachable', () => {
  for (const tier of LOCAL_TIERS) {
    describe.skipIf(tier.unavailable !== undefined)(`local tier ${tier.module}${tier.unavailable ? ` (unavailable: ${tier.unavailable})` : ''}`, () => {
      /** A server that keeps its data across a restart on the same port (append-only file, fsync always). */
      async function durableRedis(port: number, dir: string) {
        return startRedis({ port, dir, extraArgs: ['--appendonly', 'yes', '--appendfsync', 'always'] });
      }

      it('set and delete fail with ERR_REMOTE_UNAVAILABLE and change neither tier; it reconnects when Redis is back', async () => {
        const port = await freePort();
        const redisDir = freshDir();
        const { mkdirSync } = await import('node:fs');
        mkdirSync(redisDir, { recursive: true });
        let server = await durableRedis(port, redisDir);
        let cache: DocumentCache | undefined;
        try {
          cache = await openCache({ dir: freshDir(), redis: `redis://127.0.0.1:${port}`, local: tier.module });
          await cache.set('k', { v: 1 });
          expect(await cache.get('k')).toEqual({ v: 1 });
          const before = tierStats(cache);
          expect(before.localHits).toBe(1);

          await server.stop();
          await eventually('the cache notices', async () => (tierStats(cache!).trackingLosses > 0 ? true : undefined));
          const set = await expectCode(() => cache!.set('k', { v: 2 }), 'ERR_REMOTE_UNAVAILABLE');
          expect(set.message).toMatch(/retry/i);
          await expectCode(() => cache!.delete('k'), 'ERR_REMOTE_UNAVAILABLE');
          // The local tier may have missed changes since the link dropped: it is not served.
          await expectCode(() => cache!.get('k'), 'ERR_REMOTE_UNAVAILABLE');

          server = await durableRedis(port, redisDir);
          expect(await eventually('get works again', () => cache!.get('k'))).toEqual({ v: 1 });
          // Revalidated: the untouched local entry is kept (local tier unchanged) and served again.
          const back = await eventually('the local tier is trusted again', async () => {
            const s = tierStats(cache!);
            return s.lastRevalidation.checked === 1 ? s : undefined;
          });
          expect(back.lastRevalidation.dropped).toBe(0);
          const hits = tierStats(cache).localHits;
          expect(await cache.get('k')).toEqual({ v: 1 });
          expect(tierStats(cache).localHits).toBe(hits + 1);
          await cache.set('k', { v: 3 });
          expect(await cache.get('k')).toEqual({ v: 3 });
        } finally {
          await cache?.close();
          await server.stop();
        }
      });

      it('a Redis that comes back empty (no persistence) makes the local tier drop what it held', async () => {
        const port = await freePort();
        let server = await startRedis({ port });
        let cache: DocumentCache | undefined;
        try {
          cache = await openCache({ dir: freshDir(), redis: `redis://127.0.0.1:${port}`, local: tier.module });
          await cache.set('k', { v: 1 });
          await server.stop();
          await eventually('the cache notices', async () => (tierStats(cache!).trackingLosses > 0 ? true : undefined));
          server = await startRedis({ port });
          // The versions in Redis are gone, so the local copy is stale: never served.
          expect(await eventually('get works again', async () => ((await cache!.get('k')) === undefined ? 'gone' : 'stale'))).toBe('gone');
          const s = await eventually('revalidated', async () => (tierStats(cache!).lastRevalidation.checked === 1 ? tierStats(cache!) : undefined));
          expect(s.lastRevalidation.dropped).toBe(1);
          expect(await cache.get('k')).toBeUndefined();
        } finally {
          await cache?.close();
          await server.stop();
        }
      });

      it('openCache fails with ERR_REMOTE_UNAVAILABLE when Redis cannot be reached, leaving nothing locked', async () => {
        const port = await freePort();
        const dir = freshDir();
        const e = await expectCode(() => openCache({ dir, redis: `redis://127.0.0.1:${port}`, local: tier.module }), 'ERR_REMOTE_UNAVAILABLE');
        expect(e.message).toContain(String(port));
        const server = await startRedis({ port });
        try {
          const cache = await openCache({ dir, redis: server.url, local: tier.module });
          await cache.set('k', 1);
          expect(await cache.get('k')).toBe(1);
          await cache.close();
        } finally {
          await server.stop();
        }
      });
    });
  }
});
