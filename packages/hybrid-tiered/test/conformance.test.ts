import { basename } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { runConformanceSuite } from '@pmem-modes/conformance';
import { startRedis } from '../../../tools/redis.mjs';
import { hybridCapabilities, LOCAL_TIERS } from './local-tiers.js';

let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

for (const tier of LOCAL_TIERS) {
  describe.skipIf(tier.unavailable !== undefined)(`standalone Redis, local tier ${tier.module}${tier.unavailable ? ` (unavailable: ${tier.unavailable})` : ''}`, () => {
    runConformanceSuite({
      module: '@pmem-modes/hybrid-tiered',
      // Each test's fresh directory gets its own Redis namespace, so tests never see each other's documents.
      options: (dir, overrides) => ({ dir, redis: redis!.url, keyPrefix: `t-${basename(dir)}:`, local: tier.module, ...overrides }),
      capabilities: hybridCapabilities(tier),
    });
  });
}
