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

for (const tier of LOCAL_TIERS) {
  describe.skipIf(tier.unavailable !== undefined)(`3-master Redis Cluster, local tier ${tier.module}${tier.unavailable ? ` (unavailable: ${tier.unavailable})` : ''}`, () => {
    runConformanceSuite({
      module: '@pmem-modes/hybrid-tiered',
      options: (dir, overrides) => ({ dir, redis: { nodes: cluster!.urls }, keyPrefix: `t-${basename(dir)}:`, local: tier.module, ...overrides }),
      capabilities: hybridCapabilities(tier),
    });
  });
}
