// A short demo until the comparison app lands: each built adapter stores and reads back 2,000
// documents of 1 KiB and prints what that took and where the data lives.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const adapters = readdirSync('packages').filter((p) => !['core', 'conformance'].includes(p) && existsSync(`packages/${p}/dist/index.js`));
const doc = (i) => ({ i, body: 'x'.repeat(1000) });
console.log('adapter           set us/op   get us/op   medium');
for (const name of adapters) {
  const { name: pkg } = JSON.parse(readFileSync(`packages/${name}/package.json`, 'utf8'));
  let cache;
  try {
    cache = await (await import(pkg)).openCache({ name: 'demo' });
  } catch (err) {
    console.log(`${name.padEnd(17)} skipped: ${err.code ?? ''} ${err.message}`);
    continue;
  }
  const n = 2000;
  let t = performance.now();
  for (let i = 0; i < n; i++) await cache.set(`doc:${i}`, doc(i));
  const setUs = ((performance.now() - t) * 1000) / n;
  t = performance.now();
  for (let i = 0; i < n; i++) await cache.get(`doc:${i}`);
  const getUs = ((performance.now() - t) * 1000) / n;
  const { medium } = cache.stats();
  await cache.clear();
  await cache.close();
  console.log(`${name.padEnd(17)} ${setUs.toFixed(2).padStart(9)}   ${getUs.toFixed(2).padStart(9)}   ${medium.kind}: ${medium.description}`);
}
