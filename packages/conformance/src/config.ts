import type { Capabilities, CacheOptions, DocumentCache } from '@pmem-modes/core';

/** How an adapter plugs into the suite: one call of `runConformanceSuite` with this. */
export interface SuiteConfig {
  /** Import specifier of the adapter package, e.g. `@pmem-modes/dram`. Child processes import it too. */
  module: string;
  /**
   * The options to open a cache in `dir` (a fresh directory per test). Must be JSON-serialisable:
   * crash and lock tests hand them to a child process. `overrides` are the test's own limits.
   */
  options: (dir: string, overrides: CacheOptions) => Record<string, unknown>;
  /** The capabilities the adapter must declare; the suite checks the manifest against them. */
  capabilities: Capabilities;
  /** False for adapters that keep nothing in `dir` (dram): directory tests do not apply. Default true. */
  usesDir?: boolean;
  /** The smallest `capacityBytes` the adapter accepts: capacity tests use a few times this. */
  minCapacityBytes?: number;
  /** SIGKILL trials for crashConsistent adapters (at least 20). */
  crashTrials?: number;
  /**
   * capacityBytes of the crash trials. Default 64 MiB; at least CRASH_MIN_CAPACITY_BYTES, so the
   * workload never evicts and every acknowledged write must survive. A small value makes
   * log-structured adapters wrap and reclaim space while they are killed.
   */
  crashCapacityBytes?: number;
  /** Adapter-only tests, run inside the adapter's describe block with the same context. */
  extra?: (ctx: SuiteContext) => void;
}

/** What each section and an adapter's `extra` hook get: the config and fresh caches and directories. */
export interface SuiteContext {
  /** The configuration the suite was started with. */
  readonly config: SuiteConfig;
  /** Opens a cache in the test's fresh directory (or `dir`), closed after the test. */
  open(overrides?: CacheOptions, dir?: string): Promise<DocumentCache>;
  /** A fresh empty directory under the pmem directory, removed after the suite. */
  freshDir(): string;
  /** The options `open` would pass, for child processes. */
  optionsFor(dir: string, overrides?: CacheOptions): Record<string, unknown>;
}
