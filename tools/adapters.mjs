// The workspace's adapter packages: every package in packages/ except core and conformance.
// Tests and benchmarks that cover "every adapter" list them from here, so an adapter joins them by
// existing. Reads package.json files only; imports nothing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Packages in packages/ that are not adapters. */
export const NOT_ADAPTERS = ['@pmem-modes/core', '@pmem-modes/conformance'];

/**
 * Every package in packages/ with its manifest: `{ name, dir, manifest, built, native }`.
 * `built`: its dist/ entry exists; `native`: it has a binding.gyp (an addon built on install).
 */
export function workspacePackages(root = REPO_ROOT) {
  const base = join(root, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(base, e.name, 'package.json')))
    .map((e) => {
      const dir = join(base, e.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return {
        name: manifest.name,
        dir,
        manifest,
        built: existsSync(join(dir, manifest.main ?? 'dist/index.js')),
        native: existsSync(join(dir, 'binding.gyp')),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The adapter packages, sorted by name. */
export function adapterPackages(root = REPO_ROOT) {
  return workspacePackages(root).filter((p) => !NOT_ADAPTERS.includes(p.name));
}
