// Builds the libpmemobj addon when the system can: a missing library or toolchain is a warning,
// never a failed `npm ci` (the package still imports; openCache then answers ERR_NATIVE_UNAVAILABLE).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(root, 'build', 'Release', 'app_direct.node');
const force = process.argv.includes('--force') || process.env.npm_lifecycle_event === 'install';

function warn(message) {
  console.warn(`@pmem-modes/app-direct: ${message}`);
  console.warn('@pmem-modes/app-direct: the package installs without its addon; openCache() will fail with ERR_NATIVE_UNAVAILABLE.');
}

/** True when the addon is older than one of its sources (or missing). */
function stale() {
  if (!existsSync(addon)) return true;
  const built = statSync(addon).mtimeMs;
  const sources = [join(root, 'binding.gyp'), ...readdirSync(join(root, 'native')).map((f) => join(root, 'native', f))];
  return sources.some((file) => statSync(file).mtimeMs > built);
}

if (!force && !stale()) process.exit(0);

const probe = spawnSync('pkg-config', ['--exists', 'libpmemobj', 'libpmem'], { stdio: 'ignore' });
if (probe.error || probe.status !== 0) {
  warn('libpmemobj was not found by pkg-config: run `apt-get install libpmemobj-dev libpmem-dev pkg-config`, then `npm rebuild @pmem-modes/app-direct`.');
  process.exit(0);
}

// npm runs this script with a node-gyp on PATH (the workspace's devDependency, else npm's own) and
// its nodedir setting in the environment. `npx --no-install node-gyp` found none in a user's project.
const build = spawnSync('node-gyp', ['rebuild'], { cwd: root, stdio: 'inherit', shell: false });
if (build.error || build.status !== 0) {
  warn(`node-gyp rebuild failed (${build.error?.message ?? `exit ${build.status}`}); see the output above.`);
}
process.exit(0);
