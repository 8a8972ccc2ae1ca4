#!/usr/bin/env node
/**
 * Builds the libpmem addon (build/Release/hybrid_index.node) with the node-gyp npm puts on PATH for
 * scripts (so npm's nodedir setting applies). Never fails the install: without libpmem, or when the compile
 * fails, it warns and exits 0, and openCache() later rejects with ERR_NATIVE_UNAVAILABLE.
 *   node scripts/build-native.mjs             build (npm install runs this)
 *   node scripts/build-native.mjs --if-stale  build only when the addon is missing or older than its sources
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(root, 'build', 'Release', 'hybrid_index.node');

function warn(message) {
  console.warn(`@pmem-modes/hybrid-index: ${message}`);
  console.warn('@pmem-modes/hybrid-index: the package still installs; openCache() will reject with ERR_NATIVE_UNAVAILABLE.');
}

function isStale() {
  if (!existsSync(addon)) return true;
  const built = statSync(addon).mtimeMs;
  const sources = [join(root, 'binding.gyp'), ...readdirSync(join(root, 'native')).map((f) => join(root, 'native', f))];
  return sources.some((f) => statSync(f).mtimeMs > built);
}

function hasLibpmem() {
  try {
    execFileSync('pkg-config', ['--exists', 'libpmem'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);
if (!hasLibpmem()) {
  warn('libpmem was not found by pkg-config; install it with: apt-get install libpmem-dev pkg-config');
  process.exit(0);
}
// npm runs this script with a node-gyp on PATH (the workspace's devDependency, else npm's own) and
// its nodedir setting in the environment. `npx --no-install node-gyp` found none in a user's project.
const result = spawnSync('node-gyp', ['rebuild'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) warn(`node-gyp rebuild failed (${result.error?.message ?? `exit ${result.status}`}); see the output above.`);
