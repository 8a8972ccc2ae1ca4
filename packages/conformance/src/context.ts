import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach } from 'vitest';
import { resolveDir, type CacheOptions, type DocumentCache, type OpenCache } from '@pmem-modes/core';
import type { SuiteConfig, SuiteContext } from './config.js';

/** Builds the per-suite context: fresh directories, and every cache a test opened closed after it. */
export function createContext(config: SuiteConfig): SuiteContext {
  const root = join(resolveDir(), 'conformance', `${process.pid}-${randomBytes(4).toString('hex')}`);
  const opened: DocumentCache[] = [];
  let openCache: OpenCache | undefined;
  let current: string | undefined;

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close().catch(() => undefined)));
    current = undefined;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const ctx: SuiteContext = {
    config,
    freshDir() {
      const dir = join(root, randomBytes(6).toString('hex'));
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    optionsFor(dir, overrides = {}) {
      return config.options(dir, overrides);
    },
    async open(overrides: CacheOptions = {}, dir?: string) {
      openCache ??= ((await import(config.module)) as { openCache: OpenCache }).openCache;
      current = dir ?? current ?? ctx.freshDir();
      const cache = await openCache(ctx.optionsFor(current, overrides));
      opened.push(cache);
      return cache;
    },
  };
  return ctx;
}
