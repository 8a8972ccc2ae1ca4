import { runConformanceSuite } from '@pmem-modes/conformance';

runConformanceSuite({
  module: '@pmem-modes/storage-sqlite',
  options: (dir, overrides) => ({ dir, ...overrides }),
  capabilities: { persistent: true, crashConsistent: true, evicts: true, sync: true, exclusive: true, shared: false },
  crashTrials: 20,
});
