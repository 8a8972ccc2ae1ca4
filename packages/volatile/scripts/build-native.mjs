// Builds the memkind addon when memkind is installed, and only warns when it is not, so that
// `npm ci` and the other packages never fail because of it: without the addon `import` still
// works and openCache() rejects with ERR_NATIVE_UNAVAILABLE, naming the package to install.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const warn = (why) => console.warn(`@pmem-modes/volatile: ${why}; the volatile adapter is unavailable until then (openCache rejects with ERR_NATIVE_UNAVAILABLE).`);

const probe = spawnSync('pkg-config', ['--exists', 'memkind'], { stdio: 'ignore' });
if (probe.error || probe.status !== 0) {
  warn('memkind was not found by pkg-config: run `apt-get install libmemkind-dev pkg-config`, then `npm rebuild @pmem-modes/volatile`');
  process.exit(0);
}
// The build target skips an addon newer than its sources; `npm install`/`npm rebuild` always build
// (memkind itself may have changed).
const addon = join(packageDir, 'build', 'Release', 'volatile_heap.node');
const sources = ['binding.gyp', ...readdirSync(join(packageDir, 'native')).map((f) => join('native', f))];
const upToDate =
  process.env.npm_lifecycle_event !== 'install' &&
  existsSync(addon) &&
  sources.every((f) => statSync(join(packageDir, f)).mtimeMs <= statSync(addon).mtimeMs);
if (upToDate) process.exit(0);
// npm runs this script with a node-gyp on PATH (the workspace's devDependency, else npm's own) and
// its nodedir setting in the environment. `npx --no-install node-gyp` finds none in a user's project.
const build = spawnSync('node-gyp', ['rebuild', '--loglevel=warn'], { cwd: packageDir, stdio: 'inherit' });
if (build.error || build.status !== 0) {
  warn(`building the addon failed (${build.error?.message ?? `node-gyp exit ${build.status}`}): check the output above, then \`npm rebuild @pmem-modes/volatile\``);
}
