// hybrid-tiered benchmark: what the local tier buys in front of Redis, as ratios from one run.
//
//   node bench/bench.mjs [--docs 10000] [--ops 10000] [--samples 20000] [--json out.json]
//
// 1. get latency: local-tier hit vs Redis only (GET + JSON.parse of the same 1 KiB document on a
//    loopback Redis), p50 and p99 over `samples` sequential calls after a warm-up.
// 2. restart: `docs` documents cached, `ops` skewed reads (5% writes) measured before a restart and
//    over the first `ops` after it, with another client overwriting 2% of the documents while this
//    one is down. Run with the app-direct local tier (warm restart) and the dram one (cold restart).
// 3. costs: Redis memory per document, invalidation messages per write, revalidation time at open.
// Needs redis-server (tools/redis.mjs starts a private one) and a built package (npm run build).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { resolveDir } from '@pmem-modes/core';
import { openCache, tierStats } from '@pmem-modes/hybrid-tiered';
import { startRedis } from '../../../tools/redis.mjs';

const { values: args } = parseArgs({
  options: {
    docs: { type: 'string', default: '10000' },
    ops: { type: 'string', default: '10000' },
    samples: { type: 'string', default: '20000' },
    json: { type: 'string' },
  },
});
const DOCS = Number(args.docs);
const OPS = Number(args.ops);
const SAMPLES = Number(args.samples);
const CAPACITY = 64 * 1024 * 1024;

/** A ~1 KiB document. */
const docFor = (i, rev = 0) => ({ id: i, rev, title: `document ${i}`, body: 'lorem ipsum '.repeat(80), tags: ['a', 'b', String(i % 13)] });

/** Deterministic pseudo-random numbers (the runs compare like with like). */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** A skewed key: 80% of the reads go to 20% of the documents. */
function skewedKey(random) {
  const hot = random() < 0.8;
  const n = hot ? Math.floor(random() * DOCS * 0.2) : Math.floor(DOCS * 0.2 + random() * DOCS * 0.8);
  return `doc:${n}`;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** p50/p99 in microseconds of `samples` sequential awaits of `fn`, after a warm-up. */
async function latency(fn, samples) {
  for (let i = 0; i < Math.min(2000, samples); i++) await fn(i);
  if (global.gc) global.gc();
  const times = new Float64Array(samples);
  let sink = 0;
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    const v = await fn(i);
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
    if (v !== undefined) sink++; // keeps the result alive
  }
  if (sink === 0) throw new Error('every sample missed: the benchmark measured nothing');
  const sorted = Array.from(times).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), min: sorted[0], samples };
}

async function getLatency(redis, dir) {
  const cache = await openCache({ dir, name: 'latency', redis: redis.url, keyPrefix: 'bench:', capacityBytes: CAPACITY });
  const raw = new Redis(redis.url);
  try {
    const keys = 1000;
    for (let i = 0; i < keys; i++) {
      await cache.set(`doc:${i}`, docFor(i));
      await raw.set(`plain:doc:${i}`, JSON.stringify(docFor(i)));
    }
    for (let i = 0; i < keys; i++) await cache.get(`doc:${i}`); // every key in the local tier
    const before = tierStats(cache);
    const local = await latency((i) => cache.get(`doc:${i % keys}`), SAMPLES);
    const after = tierStats(cache);
    if (after.remoteReads !== before.remoteReads) throw new Error('local-hit samples reached Redis');
    const remote = await latency(async (i) => JSON.parse(await raw.get(`plain:doc:${i % keys}`)), SAMPLES);
    return { localHit: local, redisOnly: remote, ratio: local.p50 / remote.p50 };
  } finally {
    raw.disconnect();
    await cache.close();
  }
}

/** Runs `ops` operations (95% skewed gets, 5% sets) and returns the local hit ratio of the gets. */
async function workload(cache, random) {
  const start = tierStats(cache);
  let gets = 0;
  for (let i = 0; i < OPS; i++) {
    const key = skewedKey(random);
    if (random() < 0.05) await cache.set(key, docFor(Number(key.slice(4)), i));
    else {
      gets++;
      await cache.get(key);
    }
  }
  const end = tierStats(cache);
  return { gets, localHits: end.localHits - start.localHits, hitRatio: (end.localHits - start.localHits) / gets };
}

async function restart(redis, root, local) {
  const dir = join(root, local.replace(/\W/g, '-'));
  const options = { dir, name: 'restart', redis: redis.url, keyPrefix: `bench-${local.replace(/\W/g, '')}:`, capacityBytes: CAPACITY, local };
  const random = rng(42);
  let cache = await openCache(options);
  for (let i = 0; i < DOCS; i++) await cache.set(`doc:${i}`, docFor(i));
  await workload(cache, random); // warm-up: steady state
  const before = await workload(cache, random);
  await cache.close();

  // Another client overwrites 2% of the documents while this one is down.
  const other = await openCache({ ...options, dir: join(dir, 'other'), local: '@pmem-modes/dram' });
  const changed = Math.floor(DOCS * 0.02);
  for (let i = 0; i < changed; i++) await other.set(`doc:${Math.floor(random() * DOCS)}`, docFor(i, -1));
  await other.close();

  const t0 = performance.now();
  cache = await openCache(options);
  const openMs = performance.now() - t0;
  const revalidation = tierStats(cache).lastRevalidation;
  const after = await workload(cache, random);
  await cache.close();
  return { local, before, after, ratio: after.hitRatio / before.hitRatio, openMs, revalidation };
}

async function costs(redis, dir) {
  const raw = new Redis(redis.url);
  const options = { dir, name: 'costs', redis: redis.url, keyPrefix: 'cost:', capacityBytes: CAPACITY, local: '@pmem-modes/dram' };
  const a = await openCache({ ...options, dir: join(dir, 'a') });
  const b = await openCache({ ...options, dir: join(dir, 'b') });
  try {
    const memBefore = Number((await raw.info('memory')).match(/used_memory:(\d+)/)[1]);
    const n = 2000;
    for (let i = 0; i < n; i++) await a.set(`doc:${i}`, docFor(i));
    const memAfter = Number((await raw.info('memory')).match(/used_memory:(\d+)/)[1]);
    const jsonBytes = Buffer.byteLength(JSON.stringify(docFor(1)));
    const invBefore = tierStats(b).invalidations;
    for (let i = 0; i < n; i++) await a.set(`doc:${i}`, docFor(i, 1));
    await new Promise((r) => setTimeout(r, 200));
    const invalidationsPerWrite = (tierStats(b).invalidations - invBefore) / n;
    return { redisBytesPerDoc: (memAfter - memBefore) / n, jsonBytesPerDoc: jsonBytes, invalidationsPerWriteAtOtherClient: invalidationsPerWrite };
  } finally {
    await a.close();
    await b.close();
    raw.disconnect();
  }
}

const redis = await startRedis();
const root = mkdtempSync(join(resolveDir(), 'hybrid-tiered-bench-'));
try {
  const result = {
    machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, pmemDir: resolveDir() },
    params: { docs: DOCS, ops: OPS, samples: SAMPLES },
    latency: await getLatency(redis, join(root, 'latency')),
    restart: [await restart(redis, root, '@pmem-modes/app-direct'), await restart(redis, root, '@pmem-modes/dram')],
    costs: await costs(redis, join(root, 'costs')),
  };
  const { latency: l, restart: r, costs: c } = result;
  const us = (x) => `${x.toFixed(1)} us`;
  console.log(`get p50: local hit ${us(l.localHit.p50)} vs Redis only ${us(l.redisOnly.p50)} -> ratio ${l.ratio.toFixed(3)} (target <= 0.05); p99 ${us(l.localHit.p99)} vs ${us(l.redisOnly.p99)}`);
  for (const x of r) {
    console.log(
      `restart with ${x.local}: hit ratio ${x.before.hitRatio.toFixed(3)} before, ${x.after.hitRatio.toFixed(3)} over the first ${OPS} ops after -> ratio ${x.ratio.toFixed(3)} (target >= 0.9); open ${x.openMs.toFixed(0)} ms, revalidated ${x.revalidation.checked} entries (${x.revalidation.dropped} stale) in ${x.revalidation.ms.toFixed(0)} ms`,
    );
  }
  console.log(`costs: Redis ${c.redisBytesPerDoc.toFixed(0)} bytes per document of ${c.jsonBytesPerDoc} JSON bytes; ${c.invalidationsPerWriteAtOtherClient.toFixed(2)} invalidation(s) per write at each other client`);
  if (args.json) writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
  await redis.stop();
}
