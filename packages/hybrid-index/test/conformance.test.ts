import { runConformanceSuite } from '@pmem-modes/conformance';

runConformanceSuite({
  module: '@pmem-modes/hybrid-index',
  options: (dir, overrides) => ({ dir, ...overrides }),
  capabilities: { persistent: true, crashConsistent: true, evicts: true, sync: true, exclusive: true, shared: false },
  crashTrials: 30,
  // A 3 MiB cache has a ring of about 10 MiB: each trial's writes wrap it many times, so
  // processes are killed while the cleaner moves records and the head checkpoint changes.
  crashCapacityBytes: 3 * 1024 * 1024,
});
