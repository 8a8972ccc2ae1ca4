import { basename } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { runConformanceSuite } from '@pmem-modes/conformance';
import { startRedisCluster } from '../../../tools/redis.mjs';
import { DEFAULT_TIER, hybridCapabilities } from './local-tiers.js';

let cluster: Awaited<ReturnType<typeof startRedisCluster>> | undefined;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
});
afterAll(() => cluster?.stop());

describe(`3-master Redis Cluster, local tier ${DEFAULT_TIER.module}`, () => {
  runConformanceSuite({
    module: '@pmem-modes/hybrid-tiered',
    options: (dir, overrides) => ({ dir, redis: { nodes: cluster!.urls }, keyPrefix: `t-${basename(dir)}:`, local: DEFAULT_TIER.module, ...overrides }),
    capabilities: hybridCapabilities(DEFAULT_TIER),
  });
});
