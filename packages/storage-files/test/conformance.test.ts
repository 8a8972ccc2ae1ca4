import { runConformanceSuite } from '@pmem-modes/conformance';

runConformanceSuite({
  module: '@pmem-modes/storage-files',
  options: (dir, overrides) => ({ dir, ...overrides }),
  capabilities: { persistent: true, crashConsistent: true, evicts: true, sync: false, exclusive: true, shared: false },
  crashTrials: 20,
});
