/**
 * The pmem-modes conformance suite: one vitest suite every adapter runs, in the style of keyv's
 * test-suite and abstract-level's. An adapter's test file is one call:
 *
 *   runConformanceSuite({ module: '@pmem-modes/dram', options: (dir, o) => ({ dir, ...o }), capabilities });
 *
 * Capability flags decide which sections apply; sections that do not apply show as skipped.
 */
import { describe } from 'vitest';
import type { SuiteConfig } from './config.js';
import { createContext } from './context.js';
import { manifestSection } from './sections/manifest.js';
import { contractSection } from './sections/contract.js';
import { errorsSection } from './sections/errors.js';
import { hostileSection } from './sections/hostile.js';
import { capacitySection } from './sections/capacity.js';
import { persistenceSection } from './sections/persistence.js';
import { modelSection } from './sections/model.js';
import { crashSection } from './sections/crash.js';
import { lockingSection } from './sections/locking.js';

export type { SuiteConfig, SuiteContext } from './config.js';
export { expectCode, snapshot, roundTrip, docOfSize, type CodedError } from './assert.js';
export { HOSTILE_KEYS, DOC_SHAPES } from './sections/hostile.js';
export { spawnChild, type Child } from './spawn.js';

/** Registers the suite's sections, for the adapter `config.module`, in the calling vitest file. */
export function runConformanceSuite(config: SuiteConfig): void {
  describe(`conformance: ${config.module}`, () => {
    const ctx = createContext(config);
    manifestSection(ctx);
    contractSection(ctx);
    errorsSection(ctx);
    hostileSection(ctx);
    capacitySection(ctx);
    persistenceSection(ctx);
    modelSection(ctx);
    lockingSection(ctx);
    crashSection(ctx);
    config.extra?.(ctx);
  });
}
