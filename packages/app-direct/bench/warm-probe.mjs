// Child of bench.mjs: times openCache() and the first getSync on an existing cache, in a fresh process.
const [specifier, dir, capacityBytes, key] = process.argv.slice(2);
const { openCache } = await import(specifier); // the JS module is loaded before the clock starts; native libraries load inside openCache
const start = process.hrtime.bigint();
const cache = await openCache({ dir, capacityBytes: Number(capacityBytes) });
const opened = process.hrtime.bigint();
const doc = cache.getSync(key);
const served = process.hrtime.bigint();
const ms = (a, b) => +(Number(b - a) / 1e6).toFixed(3);
console.log(JSON.stringify({ openMs: ms(start, opened), firstGetServedMs: ms(start, served), found: doc !== undefined, linksFollowed: cache.stats().linksFollowed }));
await cache.close();
