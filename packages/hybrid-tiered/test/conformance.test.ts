import { basename } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { runConformanceSuite } from '@pmem-modes/conformance';
import { startRedis } from '../../../tools/redis.mjs';
import { DEFAULT_TIER, hybridCapabilities } from './local-tiers.js';

let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

describe(`standalone Redis, local tier ${DEFAULT_TIER.module}`, () => {
  runConformanceSuite({
    module: '@pmem-modes/hybrid-tiered',
    // Each test's fresh directory gets its own Redis namespace, so tests never see each other's documents.
    options: (dir, overrides) => ({ dir, redis: redis!.url, keyPrefix: `t-${basename(dir)}:`, local: DEFAULT_TIER.module, ...overrides }),
    capabilities: hybridCapabilities(DEFAULT_TIER),
  });
});
