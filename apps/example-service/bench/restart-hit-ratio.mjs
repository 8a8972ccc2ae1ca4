// The example service's first-request hit ratio after a restart, for every built adapter:
//
//   npm run build && node apps/example-service/bench/restart-hit-ratio.mjs [documents=200] [originDelayMs=20]
//
// For each adapter: start the service, PUT the documents, SIGTERM, start again on the same cache
// directory, GET each document once. Prints the hit ratio of those first GETs and their wall time
// as a ratio to the slowest adapter's in this same run (an all-miss pass pays the origin's delay).
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { adapterPackages } from '../../../tools/adapters.mjs';
import { redisAvailable, startRedis } from '../../../tools/redis.mjs';
import { restartPass } from '../dist/restart-pass.js';

const count = Number(process.argv[2] ?? 200);
const originDelayMs = Number(process.argv[3] ?? 20);
const ids = Array.from({ length: count }, (_, i) => `doc:${i}`);

// A private Redis for adapters with a remote tier (they read REDIS_URL); the others ignore it.
const redis = redisAvailable() ? await startRedis() : undefined;
const rows = [];
for (const pkg of adapterPackages()) {
  if (!pkg.built) {
    console.error(`${pkg.name}: not built, skipped (run npm run build)`);
    continue;
  }
  const work = mkdtempSync(join(process.env.PMEM_DIR_PARENT ?? '/dev/shm', 'restart-hit-ratio-'));
  try {
    const r = await restartPass({ adapter: pkg.name, work, ids, originDelayMs, env: redis ? { REDIS_URL: redis.url } : {} });
    const hits = r.xCache.filter((h) => h === 'hit').length;
    rows.push({ adapter: pkg.name, persistent: r.persistent, medium: r.stats.medium.kind, hitRatio: hits / ids.length, readMs: r.readMs, ok: r.bodiesMatch && r.exitCodes.every((c) => c === 0) });
  } catch (err) {
    console.error(`${pkg.name}: ${err.message}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await redis?.stop();
const slowest = Math.max(...rows.map((r) => r.readMs));
console.log(`first GET of ${count} documents after a restart, origin delay ${originDelayMs} ms, node ${process.version}`);
console.log('adapter                        persistent medium    hit ratio  time vs slowest  ok');
for (const r of rows) {
  console.log(
    `${r.adapter.padEnd(30)} ${String(r.persistent).padEnd(10)} ${r.medium.padEnd(9)} ${r.hitRatio.toFixed(3).padStart(9)}  ${(r.readMs / slowest).toFixed(3).padStart(15)}  ${r.ok}`,
  );
}
console.log(JSON.stringify({ count, originDelayMs, rows }));
