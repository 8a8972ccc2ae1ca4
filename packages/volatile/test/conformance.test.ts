import { runConformanceSuite } from '@pmem-modes/conformance';

runConformanceSuite({
  module: '@pmem-modes/volatile',
  options: (dir, overrides) => ({ dir, ...overrides }),
  capabilities: { persistent: false, crashConsistent: false, evicts: true, sync: true, exclusive: false, shared: false },
});
