// A small workload of every addon entry point, for tools/valgrind-addon.sh: create, set (new,
// overwrite, evict, pool full), get, has, keys, delete, clear, reopen, damaged pools.
import { mkdirSync, rmSync, writeFileSync, openSync, writeSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCache } from '../dist/index.js';

const dir = join(process.env.PMEM_DIR || '/dev/shm/pmem-modes', `valgrind-${process.pid}`);
mkdirSync(dir, { recursive: true });
try {
  let cache = await openCache({ dir, poolSize: 8 << 20, capacityBytes: 1 << 20 });
  for (let i = 0; i < 3000; i++) cache.setSync(`k${i % 700}`, { i, pad: 'v'.repeat((i * 37) % 3000) });
  let hits = 0;
  for (let i = 0; i < 700; i++) if (cache.getSync(`k${i}`) !== undefined) hits++;
  for (let i = 0; i < 100; i++) await cache.delete(`k${i}`);
  const keys = [];
  for await (const k of cache.keys()) keys.push(k);
  await cache.has('k500');
  await cache.close();
  cache = await openCache({ dir, poolSize: 8 << 20, capacityBytes: 64 << 20 });
  for (let i = 0; cache.stats().evictions < 50; i++) cache.setSync(`full${i}`, { pad: 'f'.repeat(2000) });
  await cache.clear();
  await cache.close();
  // A damaged entry must be refused, not read out of bounds.
  cache = await openCache({ dir, name: 'damaged', capacityBytes: 1 << 20 });
  cache.setSync('victim', { marker: 'marker-xyz' });
  await cache.close();
  const path = join(dir, 'app-direct-damaged.pool');
  const at = readFileSync(path).indexOf('victim');
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.from([0xff, 0xff, 0xff, 0x0f]), 0, 4, at - 32 + 20); // doc_len
  closeSync(fd);
  cache = await openCache({ dir, name: 'damaged', capacityBytes: 1 << 20 });
  let refused = '';
  try {
    cache.getSync('victim');
  } catch (e) {
    refused = e.code;
  }
  await cache.close();
  writeFileSync(join(dir, 'app-direct-foreign.pool'), 'not a pool');
  const foreign = await openCache({ dir, name: 'foreign' }).catch((e) => e.code);
  console.log(`workload done: ${hits} hits, ${keys.length} keys, damaged entry ${refused}, foreign file ${foreign}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
