import { basename } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { runConformanceSuite } from '@pmem-modes/conformance';
import { startRedisCluster } from '../../../tools/redis.mjs';
import { hybridCapabilities, LOCAL_TIERS } from './local-tiers.js';

let cluster: Awaited<ReturnType<typeof startRedisCluster>> | undefined;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
});
afterAll(() => cluster?.stop());

// Once, with the default local tier (app-direct) where it works, else the dram one: the cluster
// changes the remote side only, which both tiers share; conformance.test.ts runs both tiers.
const tier = LOCAL_TIERS.find((t) => t.module === '@pmem-modes/app-direct' && t.unavailable === undefined) ?? LOCAL_TIERS[0]!;

describe(`3-master Redis Cluster, local tier ${tier.module}`, () => {
  runConformanceSuite({
    module: '@pmem-modes/hybrid-tiered',
    options: (dir, overrides) => ({ dir, redis: { nodes: cluster!.urls }, keyPrefix: `t-${basename(dir)}:`, local: tier.module, ...overrides }),
    capabilities: hybridCapabilities(tier),
  });
});
