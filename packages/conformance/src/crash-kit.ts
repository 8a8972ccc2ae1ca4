/**
 * The crash workload without vitest (`@pmem-modes/conformance/crash`): the child that writes until
 * SIGKILL, its deterministic operations, and the judge of what a reopened cache holds. The suite's
 * crash section and the comparison app's crash trials both use these.
 */
export { spawnChild, type Child } from './spawn.js';
export { crashOp, isWhole, judgeRecovery, CRASH_KEYS, type RecoveryVerdict } from './crash-workload.js';
export { snapshot } from './snapshot.js';
