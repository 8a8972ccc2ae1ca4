import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a plain .mjs helper shared by the workspace's tools, without type declarations
import { adapterPackages } from '../../../tools/adapters.mjs';
// @ts-expect-error: same, for a private Redis (adapters with a remote tier read REDIS_URL)
import { redisAvailable, startRedis } from '../../../tools/redis.mjs';
import { restartPass } from '../src/restart-pass.js';

const adapters = (adapterPackages() as Array<{ name: string; built: boolean }>).map((p) => p.name);
let redis: { url: string; stop(): Promise<void> } | undefined;
beforeAll(async () => {
  if (redisAvailable()) redis = await startRedis();
});
afterAll(async () => redis?.stop());

describe.each(adapters)('restart with %s', (adapter) => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join('/dev/shm', 'example-service-restart-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('after SIGTERM and a new start, the first GETs are hits exactly when the adapter is persistent', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `doc:${i}`);
    const result = await restartPass({ adapter, work, ids, originDelayMs: 5, env: redis ? { REDIS_URL: redis.url } : {} });
    expect(result.exitCodes).toEqual([0, 0]);
    expect(result.bodiesMatch).toBe(true);
    if (result.persistent) {
      expect(result.xCache.every((h) => h === 'hit')).toBe(true);
      expect(result.stats).toMatchObject({ hits: ids.length, misses: 0, origin: { reads: 0 } });
    } else {
      expect(result.xCache.every((h) => h === 'miss')).toBe(true);
      expect(result.stats).toMatchObject({ hits: 0, misses: ids.length, origin: { reads: ids.length } });
    }
  });
});
