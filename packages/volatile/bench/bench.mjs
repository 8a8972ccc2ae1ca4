// The volatile adapter beside dram (and app-direct, when that package is built) in one run:
// getSync/setSync latency for 1 KiB and 64 KiB documents, V8 heap growth per byte cached, and how
// much of capacityBytes holds documents before the first eviction. Not a test: figures only.
//   node --expose-gc packages/volatile/bench/bench.mjs [--json]
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';

if (typeof globalThis.gc !== 'function') {
  console.error('run with --expose-gc: collections happen outside the timed parts');
  process.exit(2);
}
const dir = join(process.env.PMEM_DIR || '/dev/shm/pmem-modes', `volatile-bench-${process.pid}`);
mkdirSync(dir, { recursive: true });

const CANDIDATES = ['@pmem-modes/dram', '@pmem-modes/volatile', '@pmem-modes/app-direct'];
const adapters = [];
for (const name of CANDIDATES) {
  try {
    adapters.push({ name: name.split('/')[1], openCache: (await import(name)).openCache });
  } catch (err) {
    console.error(`skipping ${name}: ${err.code ?? ''} ${err.message.split('\n')[0]}`);
  }
}

const doc = (bytes, i) => ({ i, pad: 'x'.repeat(Math.max(0, bytes - 20 - String(i).length)) });
let sink = 0; // keeps results alive so the work cannot be optimised away

function percentiles(samples) {
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { min: samples[0], p50: at(0.5), p99: at(0.99), p999: at(0.999), n: samples.length };
}

/** Per-operation times in microseconds, after a warm-up of the same operation. */
function sample(op, count) {
  for (let i = 0; i < Math.min(2000, count); i++) op(i);
  globalThis.gc();
  const times = new Array(count);
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    op(i);
    times[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  return percentiles(times);
}

async function latency(adapter, docBytes, keys, samples) {
  const cache = await adapter.openCache({ dir, name: `lat-${adapter.name}`, capacityBytes: 256 * 1024 * 1024, maxDocBytes: 128 * 1024 });
  const docs = Array.from({ length: 64 }, (_, i) => doc(docBytes, i));
  const sync = cache.capabilities.sync;
  for (let i = 0; i < keys; i++) sync ? cache.setSync(`k${i}`, docs[i % 64]) : await cache.set(`k${i}`, docs[i % 64]);
  let result;
  if (sync) {
    const get = sample((i) => (sink += cache.getSync(`k${(i * 7919) % keys}`).i), samples);
    const set = sample((i) => cache.setSync(`k${(i * 7919) % keys}`, docs[i % 64]), samples);
    result = { get, set };
  }
  await cache.close();
  return result;
}

async function heapGrowth(adapter, totalBytes) {
  const cache = await adapter.openCache({ dir, name: `heap-${adapter.name}`, capacityBytes: totalBytes + 64 * 1024 * 1024 });
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  let cached = 0;
  for (let i = 0; cached < totalBytes; i++) {
    const d = doc(1024, i);
    await cache.set(`k${i}`, d);
    cached += JSON.stringify(d).length + `k${i}`.length;
  }
  globalThis.gc();
  const growth = process.memoryUsage().heapUsed - before;
  await cache.close();
  return { cachedBytes: cached, heapGrowthBytes: growth, perByte: growth / cached };
}

async function utilisation(adapter, docBytes) {
  const capacityBytes = 64 * 1024 * 1024;
  const cache = await adapter.openCache({ dir, name: `util-${adapter.name}`, capacityBytes, maxDocBytes: 128 * 1024 });
  let stored = 0;
  let keysAndDocs = 0; // what bytesUsed counts, kept here: stats() refreshes memkind's figures, too slow per write
  let evictedBy;
  for (let i = 0; ; i++) {
    const key = `k${i}`;
    const json = JSON.stringify(doc(docBytes, i));
    await cache.set(key, JSON.parse(json));
    if (!(await cache.has('k0'))) {
      // The logical bound evicts only when keys + documents would pass capacityBytes; an earlier
      // eviction was memkind running out of heap.
      evictedBy = keysAndDocs + key.length + json.length > capacityBytes ? 'capacityBytes' : 'heap';
      break; // nothing is read: the first eviction takes k0
    }
    stored += json.length;
    keysAndDocs += key.length + json.length;
  }
  await cache.close();
  return { docBytes, documentShare: stored / capacityBytes, evictedBy };
}

const report = { runtime: process.version, flags: process.execArgv, cpu: os.cpus()[0]?.model, cores: os.cpus().length, dir, latency: {}, heap: {}, utilisation: [] };
for (const a of adapters) {
  report.latency[a.name] = {
    '1KiB': await latency(a, 1024, 10_000, 50_000),
    '64KiB': await latency(a, 64 * 1024, 1_000, 10_000),
  };
  report.heap[a.name] = await heapGrowth(a, 128 * 1024 * 1024);
}
const volatile = adapters.find((a) => a.name === 'volatile');
if (volatile) for (const size of [30, 100, 1024, 16_400, 64 * 1024]) report.utilisation.push(await utilisation(volatile, size));
rmSync(dir, { recursive: true, force: true });

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(report, null, 2));
} else {
  const us = (x) => (x === undefined ? '     -' : x.toFixed(2).padStart(6));
  console.log(`${report.runtime} ${report.cpu} x${report.cores}; dir ${dir}`);
  console.log('adapter      doc     getSync p50/p99 us   setSync p50/p99 us   get p50 vs dram');
  for (const size of ['1KiB', '64KiB']) {
    const base = report.latency.dram?.[size]?.get.p50;
    for (const [name, l] of Object.entries(report.latency)) {
      const ratio = base && l[size] ? (l[size].get.p50 / base).toFixed(2) : '-';
      console.log(`${name.padEnd(12)} ${size.padEnd(6)}  ${us(l[size]?.get.p50)} / ${us(l[size]?.get.p99)}      ${us(l[size]?.set.p50)} / ${us(l[size]?.set.p99)}      ${ratio}x`);
    }
  }
  console.log('\nV8 heap growth caching 128 MiB of 1 KiB documents:');
  for (const [name, h] of Object.entries(report.heap)) {
    console.log(`${name.padEnd(12)} ${(h.heapGrowthBytes / 1048576).toFixed(2).padStart(8)} MiB = ${(h.perByte * 100).toFixed(3)}% of the bytes cached`);
  }
  console.log('\nvolatile, 64 MiB capacityBytes: share holding documents at the first eviction');
  for (const u of report.utilisation) console.log(`${String(u.docBytes).padStart(6)}-byte documents: ${(u.documentShare * 100).toFixed(1)}% (bound: ${u.evictedBy})`);
}
if (sink === 0.5) console.log(''); // never true; reads sink so the reads stay live
