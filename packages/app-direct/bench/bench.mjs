#!/usr/bin/env node
/**
 * app-direct benchmark (not a test): one run, one /dev/shm, every figure also given as a ratio.
 *
 *   node --expose-gc packages/app-direct/bench/bench.mjs [--quick] [--json out.json]
 *
 * - getSync / setSync of a 1 KiB document: median over batches of per-operation means, for
 *   app-direct, dram, lmdb-js (string encoding, synchronous commits, same JSON.parse), and
 *   storage-sqlite when that package is present;
 * - the floor of a get: a native call that copies the same bytes into a string, plus JSON.parse;
 * - warm restart: a fresh process times openCache() + the first get on pools of 100k and 1M docs;
 * - capacity: the share of the pool's bytes holding documents when eviction starts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('--quick');
const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : undefined;
const root = join(process.env.PMEM_DIR || '/dev/shm/pmem-modes', `bench-app-direct-${process.pid}`);
const here = fileURLToPath(new URL('.', import.meta.url));
const BATCH = 100;
const BATCHES = quick ? 100 : 400;
const KEYS = 10_000;
const MiB = 1024 * 1024;

/** A 1 KiB JSON document with some structure, distinct per key. */
function docFor(i) {
  const doc = { id: i, title: `document ${i}`, tags: ['pmem', 'cache', String(i % 7)], nested: { a: i, b: i * 2, ok: true }, body: '' };
  doc.body = 'x'.repeat(1024 - Buffer.byteLength(JSON.stringify(doc)));
  return doc;
}

let sink = 0; // results flow here so that no call is optimised away

/** Median (and p99) over batches of the mean time per call of `op(i)`, in microseconds. */
function measure(op) {
  for (let i = 0; i < 5 * BATCH; i++) op(i % KEYS); // warm-up
  globalThis.gc?.();
  const means = [];
  let i = 0;
  for (let b = 0; b < BATCHES; b++) {
    const start = process.hrtime.bigint();
    for (let j = 0; j < BATCH; j++, i++) op(i % KEYS);
    means.push(Number(process.hrtime.bigint() - start) / BATCH / 1000);
  }
  means.sort((x, y) => x - y);
  return { p50: means[Math.floor(means.length / 2)], p99: means[Math.floor(means.length * 0.99)], min: means[0], samples: BATCHES * BATCH };
}

async function optional(name) {
  try {
    return await import(name);
  } catch {
    return undefined;
  }
}

function freshDir(label) {
  const dir = join(root, label);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function latencies() {
  const docs = Array.from({ length: KEYS }, (_, i) => docFor(i));
  const jsons = docs.map((d) => JSON.stringify(d));
  const keys = docs.map((_, i) => `doc:${i}`);
  const results = {};

  const floorBuffers = jsons.map((j) => Buffer.from(j));
  results.floor = { get: measure((i) => (sink += JSON.parse(floorBuffers[i].toString('utf8')).id)) };

  const adapters = [
    ['app-direct', () => import('../dist/index.js')],
    ['dram', () => import('@pmem-modes/dram')],
    ['storage-sqlite', () => optional('@pmem-modes/storage-sqlite')],
  ];
  for (const [name, load] of adapters) {
    const mod = await load();
    if (!mod) {
      results[name] = { skipped: `@pmem-modes/${name} is not installed in this workspace` };
      continue;
    }
    const cache = await mod.openCache({ dir: freshDir(name), capacityBytes: 64 * MiB });
    if (!cache.capabilities.sync) {
      results[name] = { skipped: 'no getSync/setSync (capabilities.sync is false)' };
      await cache.close();
      continue;
    }
    const set = measure((i) => cache.setSync(keys[i], docs[i]));
    const get = measure((i) => (sink += cache.getSync(keys[i]).id));
    results[name] = { get, set, medium: cache.stats().medium.kind };
    await cache.close();
  }

  const lmdb = await optional('lmdb');
  if (lmdb) {
    const db = lmdb.open({ path: join(freshDir('lmdb'), 'db'), encoding: 'string', noSync: false });
    // The same encode as the adapters pay (JSON text), without their validation walk.
    const set = measure((i) => db.putSync(keys[i], JSON.stringify(docs[i])));
    const get = measure((i) => (sink += JSON.parse(db.get(keys[i])).id));
    results['lmdb-js'] = { get, set, note: 'putSync(JSON.stringify(doc)) with synchronous commits; get + JSON.parse of the same text' };
    await db.close();
  } else {
    results['lmdb-js'] = { skipped: 'lmdb is not installed' };
  }
  return results;
}

/** Fills a cache with `count` 1 KiB docs, closes it, then times open + first get in a fresh process. */
async function warmRestart(moduleName, count) {
  const mod = moduleName === '@pmem-modes/app-direct' ? await import('../dist/index.js') : await optional(moduleName);
  if (!mod) return { skipped: `${moduleName} is not installed in this workspace` };
  const dir = freshDir(`warm-${moduleName.replace(/\W/g, '_')}-${count}`);
  const capacityBytes = Math.ceil(count * 1.1 * 1024);
  let cache = await mod.openCache({ dir, capacityBytes });
  const doc = docFor(0);
  const fillStart = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    doc.id = i;
    cache.setSync(`doc:${i}`, doc);
  }
  const fillSeconds = +(Number(process.hrtime.bigint() - fillStart) / 1e9).toFixed(2);
  const filled = cache.stats();
  await cache.close();
  const probe = join(here, 'warm-probe.mjs');
  const specifier = moduleName === '@pmem-modes/app-direct' ? new URL('../dist/index.js', import.meta.url).href : moduleName;
  const child = spawnSync(process.execPath, [probe, specifier, dir, String(capacityBytes), `doc:${count - 1}`], { encoding: 'utf8' });
  const out = JSON.parse(child.stdout.trim() || '{}');
  rmSync(dir, { recursive: true, force: true });
  return { documents: filled.count, evictions: filled.evictions, fillSeconds, ...out };
}

async function capacityUse() {
  const { openCache } = await import('../dist/index.js');
  const out = {};
  for (const capacityBytes of [16 * MiB, 64 * MiB, 256 * MiB]) {
    const dir = freshDir(`capacity-${capacityBytes}`);
    const cache = await openCache({ dir, capacityBytes });
    const doc = docFor(0);
    let i = 0;
    while (cache.stats().evictions === 0) {
      doc.id = i;
      cache.setSync(`doc:${i++}`, doc);
    }
    const s = cache.stats();
    out[`${capacityBytes / MiB} MiB`] = {
      poolBytes: s.poolBytes,
      documentsWhenEvictionStarted: s.count,
      documentBytesShareOfPool: +(s.bytesUsed / s.poolBytes).toFixed(3),
      allocatedShareOfPool: +(s.poolAllocatedBytes / s.poolBytes).toFixed(3),
    };
    await cache.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

const ratio = (a, b) => (a && b ? +(a / b).toFixed(2) : undefined);

try {
  const lat = await latencies();
  const warm = { dram: 'nothing to restart from: a dram cache starts empty' };
  for (const name of ['@pmem-modes/app-direct', '@pmem-modes/storage-sqlite']) {
    for (const n of quick ? [100_000] : [100_000, 1_000_000]) warm[`${name} ${n}`] = await warmRestart(name, n);
  }
  const capacity = await capacityUse();
  const ad = lat['app-direct'];
  const summary = {
    'getSync p50 / floor': ratio(ad.get.p50, lat.floor.get.p50),
    'getSync p50 / lmdb-js get p50': ratio(ad.get.p50, lat['lmdb-js'].get?.p50),
    'getSync p50 / dram getSync p50': ratio(ad.get.p50, lat.dram.get?.p50),
    'getSync p50 / storage-sqlite getSync p50': ratio(ad.get.p50, lat['storage-sqlite'].get?.p50),
    'set throughput vs lmdb-js putSync (x)': ratio(lat['lmdb-js'].set?.p50, ad.set.p50),
    'set throughput vs storage-sqlite (x)': ratio(lat['storage-sqlite'].set?.p50, ad.set.p50),
    'setSync p50 / dram setSync p50': ratio(ad.set.p50, lat.dram.set?.p50),
  };
  const result = {
    when: new Date().toISOString(),
    node: process.version,
    cpus: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
    memory: `${Math.round(totalmem() / MiB)} MiB`,
    flags: process.execArgv,
    pmemDir: root,
    method: `median over ${BATCHES} batches of ${BATCH} calls (mean per call), microseconds; 10,000 distinct 1 KiB documents`,
    latency: lat,
    warmRestart: warm,
    capacity,
    summary,
  };
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
  if (sink === 42) console.log('');
} finally {
  rmSync(root, { recursive: true, force: true });
}
