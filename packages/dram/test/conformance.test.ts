import { runConformanceSuite } from '@pmem-modes/conformance';

runConformanceSuite({
  module: '@pmem-modes/dram',
  options: (_dir, overrides) => ({ ...overrides }),
  usesDir: false,
  capabilities: { persistent: false, crashConsistent: false, evicts: true, sync: true, exclusive: false, shared: false },
});
