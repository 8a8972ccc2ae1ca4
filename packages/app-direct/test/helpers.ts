import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { resolveDir, type DocumentCache } from '@pmem-modes/core';
import { openCache, type AppDirectOptions, type AppDirectStats } from '../src/index.js';

export type AppDirectCache = DocumentCache & { stats(): AppDirectStats };

/** Fresh directories under the pmem directory, and every cache opened through `open` closed after each test. */
export function testContext(label: string) {
  const root = join(resolveDir(), 'app-direct-tests', `${label}-${process.pid}-${randomBytes(3).toString('hex')}`);
  const opened: AppDirectCache[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return {
    freshDir(): string {
      const dir = join(root, randomBytes(4).toString('hex'));
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    async open(options: AppDirectOptions): Promise<AppDirectCache> {
      const cache = await openCache(options);
      opened.push(cache);
      return cache;
    },
  };
}

export function poolPath(dir: string, name = 'default'): string {
  return join(dir, `app-direct-${name}.pool`);
}

export function fileHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A JSON document of exactly `bytes` bytes. */
export function docOfBytes(bytes: number, tag: number): { tag: number; pad: string } {
  const overhead = JSON.stringify({ tag, pad: '' }).length;
  return { tag, pad: 'p'.repeat(bytes - overhead) };
}
