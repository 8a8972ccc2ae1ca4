/**
 * Starts the example service: `CACHE_ADAPTER=@pmem-modes/<adapter> node dist/main.js`.
 * Prints one `listening <url> adapter=<name>` line when ready (scripts wait for it), and on
 * SIGTERM or SIGINT stops taking requests, lets the ones in flight finish, closes the cache (so a
 * persistent one is clean and unlocked for the next start) and exits 0.
 */
import { CacheError } from '@pmem-modes/core';
import { openConfiguredCache } from './adapter.js';
import { CacheAside } from './cache-aside.js';
import { loadConfig } from './config.js';
import { SlowOrigin } from './origin.js';
import { buildServer } from './server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const cache = await openConfiguredCache(config);
  const store = new CacheAside(cache, new SlowOrigin(config.originDir, config.originDelayMs), config.maxDocBytes);
  const app = buildServer(store, config.maxDocBytes);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing`);
    app.close().then(
      () => {
        console.log('closed: cache closed');
        process.exit(0);
      },
      (err: unknown) => {
        console.error('close failed:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  const url = await app.listen({ host: config.host, port: config.port });
  console.log(`listening ${url} adapter=${cache.adapter} medium=${cache.stats().medium.kind}`);
}

main().catch((err: unknown) => {
  // Start-up failures (adapter not installed, pool locked, library missing) keep their code.
  console.error(err instanceof CacheError ? `${err.code}: ${err.message}` : err);
  process.exit(1);
});
