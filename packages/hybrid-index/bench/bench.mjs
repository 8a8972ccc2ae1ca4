#!/usr/bin/env node
/**
 * hybrid-index beside dram and app-direct: get/set latency of 1 KiB documents and the time a
 * restart takes (open + first get), at several document counts, all in one run.
 *
 *   node --expose-gc --max-old-space-size=6144 bench/bench.mjs [--docs 10000,100000,1000000]
 *        [--samples 20000] [--json results.json] [--dir /dev/shm/pmem-modes]
 *
 * app-direct joins when @pmem-modes/app-direct is importable (built in this workspace);
 * otherwise its rows are skipped with a note. Latencies are per operation (performance.now()
 * around each await), reported as p50/p99 in microseconds; throughput is operations over the
 * whole timed loop. GC runs between phases, never inside one.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { resolveDir } from '@pmem-modes/core';

const { values: args } = parseArgs({
  options: {
    docs: { type: 'string', default: '10000,100000,1000000' },
    samples: { type: 'string', default: '20000' },
    json: { type: 'string' },
    dir: { type: 'string' },
  },
});
const DOC_COUNTS = args.docs.split(',').map(Number);
const SAMPLES = Number(args.samples);
const DOC_BYTES = 1024;
const ADAPTERS = [
  ['hybrid-index', '@pmem-modes/hybrid-index'],
  ['app-direct', '@pmem-modes/app-direct'],
  ['dram', '@pmem-modes/dram'],
];

const gc = globalThis.gc ?? (() => undefined);
const root = join(resolveDir(args.dir), `bench-hybrid-index-${process.pid}`);

/** A JSON document of exactly DOC_BYTES bytes; `n` varies the content. */
function docFor(n) {
  const id = String(n).padStart(10, '0');
  const skeleton = JSON.stringify({ id, pad: '' });
  return { id, pad: 'abcdefghijklmnopqrstuvwxyz'.repeat(40).slice(n % 26, n % 26 + DOC_BYTES - skeleton.length) };
}
const keyFor = (i) => `doc:${String(i).padStart(8, '0')}`;

/** A deterministic stream of indexes in [0, n) (xorshift), the same for every adapter. */
function randomIndexes(n, count, seed = 0x9e3779b9) {
  const out = new Uint32Array(count);
  let x = seed >>> 0;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 0) % n;
  }
  return out;
}

function percentiles(samples) {
  const sorted = Float64Array.from(samples).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5) * 1000, p99: at(0.99) * 1000, min: sorted[0] * 1000, count: sorted.length };
}

async function timeEach(indexes, op) {
  const lat = new Float64Array(indexes.length);
  let sink = 0;
  const start = performance.now();
  for (let i = 0; i < indexes.length; i++) {
    const t0 = performance.now();
    const r = await op(indexes[i], i);
    lat[i] = performance.now() - t0;
    if (r !== undefined) sink++;
  }
  const totalMs = performance.now() - start;
  return { ...percentiles(lat), opsPerSec: indexes.length / (totalMs / 1000), sink };
}

async function benchAdapter(name, openCache, n) {
  const dir = join(root, `${name}-${n}`);
  mkdirSync(dir, { recursive: true });
  // Same bound for everyone: room for every document with its key and per-record overhead.
  const options = { dir, name: 'bench', capacityBytes: n * 1536 + 16 * 1024 * 1024, maxDocBytes: 64 * 1024 };
  try {
    let cache = await openCache(options);
    gc();
    let t0 = performance.now();
    for (let i = 0; i < n; i++) await cache.set(keyFor(i), docFor(i));
    const fillOpsPerSec = n / ((performance.now() - t0) / 1000);

    gc();
    const getIdx = randomIndexes(n, SAMPLES, 1);
    const get = await timeEach(getIdx, (i) => cache.get(keyFor(i)));
    if (get.sink !== SAMPLES) throw new Error(`${name}: ${SAMPLES - get.sink} gets missed`);

    gc();
    const setIdx = randomIndexes(n, SAMPLES, 2);
    const set = await timeEach(setIdx, (i, j) => cache.set(keyFor(i), docFor(i + j)));

    await cache.close();
    gc();
    t0 = performance.now();
    cache = await openCache(options);
    const first = await cache.get(keyFor(0));
    const restartMs = performance.now() - t0;
    const { count, medium } = cache.stats();
    await cache.close();
    if (cache.capabilities.persistent && (count !== n || first === undefined)) throw new Error(`${name}: restart found ${count} of ${n}`);
    return { adapter: name, docs: n, fillOpsPerSec, get, set, restartMs, restartCount: count, medium: medium.kind };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (x, digits = 2) => (x === undefined ? '-' : x.toFixed(digits));

async function main() {
  const adapters = [];
  const notes = [];
  for (const [name, specifier] of ADAPTERS) {
    try {
      adapters.push([name, (await import(specifier)).openCache]);
    } catch (err) {
      notes.push(`${name} skipped: ${specifier} is not importable here (${err.code ?? err.message})`);
    }
  }
  const results = [];
  for (const n of DOC_COUNTS) {
    for (const [name, openCache] of adapters) {
      process.stderr.write(`bench: ${name} with ${n} documents...\n`);
      results.push(await benchAdapter(name, openCache, n));
    }
  }
  rmSync(root, { recursive: true, force: true });

  console.log(`\n1 KiB documents, ${SAMPLES} random gets and sets per row; latencies in microseconds`);
  console.log('adapter        docs      get p50  get p99  set p50  set p99  set ops/s  fill ops/s  restart ms');
  for (const r of results) {
    console.log(
      `${r.adapter.padEnd(14)} ${String(r.docs).padStart(8)}  ${fmt(r.get.p50).padStart(7)}  ${fmt(r.get.p99).padStart(7)}  ${fmt(r.set.p50).padStart(7)}  ${fmt(r.set.p99).padStart(7)}  ${fmt(r.set.opsPerSec, 0).padStart(9)}  ${fmt(r.fillOpsPerSec, 0).padStart(10)}  ${fmt(r.restartMs).padStart(10)}${r.restartCount === 0 ? ' (volatile: starts empty)' : ''}`,
    );
  }

  const ratios = [];
  for (const n of DOC_COUNTS) {
    const h = results.find((r) => r.adapter === 'hybrid-index' && r.docs === n);
    const a = results.find((r) => r.adapter === 'app-direct' && r.docs === n);
    if (!h || !a) continue;
    ratios.push({
      docs: n,
      getP50Ratio: h.get.p50 / a.get.p50,
      setThroughputRatio: h.set.opsPerSec / a.set.opsPerSec,
      restartRatio: h.restartMs / a.restartMs,
      // Gets after which hybrid-index's faster gets have paid for its slower restart (none if they are not faster).
      breakEvenGets: h.get.p50 < a.get.p50 ? Math.max(0, (h.restartMs - a.restartMs) * 1000) / (a.get.p50 - h.get.p50) : undefined,
    });
  }
  if (ratios.length) {
    console.log('\nhybrid-index vs app-direct (targets: get p50 ratio <= 0.7, set throughput ratio >= 1.5)');
    console.log('docs      get p50 ratio  set ops/s ratio  restart ratio  gets to repay the restart');
    for (const r of ratios) {
      console.log(`${String(r.docs).padStart(8)}  ${fmt(r.getP50Ratio).padStart(13)}  ${fmt(r.setThroughputRatio).padStart(15)}  ${fmt(r.restartRatio, 1).padStart(13)}  ${(r.breakEvenGets === undefined ? 'never (gets not faster)' : fmt(r.breakEvenGets, 0)).padStart(25)}`);
    }
  }
  // Restart grows with N for hybrid-index (it scans the log): a least-squares line through its points.
  const hybrid = results.filter((r) => r.adapter === 'hybrid-index');
  let restartFit;
  if (hybrid.length >= 2) {
    const mx = hybrid.reduce((s, r) => s + r.docs, 0) / hybrid.length;
    const my = hybrid.reduce((s, r) => s + r.restartMs, 0) / hybrid.length;
    const slope = hybrid.reduce((s, r) => s + (r.docs - mx) * (r.restartMs - my), 0) / hybrid.reduce((s, r) => s + (r.docs - mx) ** 2, 0);
    restartFit = { msPerMillionDocs: slope * 1e6, interceptMs: my - slope * mx };
    console.log(`\nhybrid-index restart ~ ${fmt(restartFit.interceptMs)} ms + ${fmt(restartFit.msPerMillionDocs)} ms per million documents`);
    const appDirect = results.filter((r) => r.adapter === 'app-direct');
    if (appDirect.length) {
      const flat = appDirect.reduce((s, r) => s + r.restartMs, 0) / appDirect.length;
      const crossover = (flat - restartFit.interceptMs) / slope;
      console.log(`app-direct restart ~ ${fmt(flat)} ms flat: hybrid-index restarts slower above ~${Math.max(0, Math.round(crossover))} documents`);
      restartFit.appDirectMs = flat;
      restartFit.crossoverDocs = Math.max(0, crossover);
    }
  }
  for (const note of notes) console.log(`note: ${note}`);

  const machine = { node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, pmemIsPmemForce: process.env.PMEM_IS_PMEM_FORCE, gcExposed: globalThis.gc !== undefined };
  if (args.json) writeFileSync(args.json, JSON.stringify({ machine, samples: SAMPLES, docBytes: DOC_BYTES, results, ratios, restartFit, notes }, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
