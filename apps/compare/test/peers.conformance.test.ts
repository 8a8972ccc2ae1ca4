/**
 * The peers answer to the same contract as the adapters: the shared conformance suite runs on
 * both (lmdb with its SIGKILL crash trials; Redis against a private server on loopback).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { runConformanceSuite } from '@pmem-modes/conformance';
import { startRedis } from '../../../tools/redis.mjs';

const peer = (file: string): string => fileURLToPath(new URL(`../dist/peers/${file}`, import.meta.url));

runConformanceSuite({
  module: peer('lmdb.js'),
  options: (dir, overrides) => ({ dir, ...overrides }),
  capabilities: { persistent: true, crashConsistent: true, evicts: true, sync: true, exclusive: false, shared: false },
});

let redis: { url: string; stop(): Promise<void> } | undefined;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

runConformanceSuite({
  module: peer('redis.js'),
  // The url is read when a test opens a cache, after beforeAll started the server.
  options: (dir, overrides) => ({ dir, ...overrides, url: redis?.url }),
  // Nothing is kept in dir (it only namespaces the keys), so the directory tests do not apply.
  usesDir: false,
  capabilities: { persistent: true, crashConsistent: false, evicts: true, sync: false, exclusive: false, shared: true },
});
