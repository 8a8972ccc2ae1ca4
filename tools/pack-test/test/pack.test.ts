/**
 * Every published package as a user gets it: `npm pack` core and each adapter, install the
 * tarballs into an empty project outside the monorepo (the packages only from their tarballs,
 * their dependencies from the npm cache), then use each one with `import` and `require`,
 * and type-check a consumer against the shipped declarations. We ship ESM only; `require` works
 * because Node >= 20.19 loads ESM without top-level await through require().
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
// @ts-expect-error: a plain .mjs helper shared by the workspace's tools, without type declarations
import { REPO_ROOT, adapterPackages, workspacePackages } from '../../adapters.mjs';
// @ts-expect-error: same, for the private Redis the tiered adapter's remote tier needs
import { redisAvailable, startRedis } from '../../redis.mjs';

interface Pkg {
  name: string;
  dir: string;
  native: boolean;
  built: boolean;
}
interface Packed {
  name: string;
  filename: string;
  files: Array<{ path: string }>;
}

const core = (workspacePackages() as Pkg[]).find((p) => p.name === '@pmem-modes/core')!;
const adapters = adapterPackages() as Pkg[];
const native = adapters.filter((p) => p.native);
const env = {
  ...process.env,
  // Native addons build against the system's Node headers: offline, node-gyp cannot fetch them.
  ...(existsSync('/usr/include/node/node.h') && !process.env.npm_config_nodedir ? { npm_config_nodedir: '/usr' } : {}),
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};

let work: string;
let packed: Packed[];
/** A private Redis for adapters with a remote tier (they read REDIS_URL); harmless to the others. */
let redis: { url: string; stop(): Promise<void> } | undefined;

/** Runs a command; throws with its output unless it exits 0. */
function run(cwd: string, command: string, args: string[], extraEnv: Record<string, string> = {}): { stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}) in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

/**
 * storage-sqlite's driver, better-sqlite3, downloads a prebuilt addon where there is network and
 * compiles for minutes where there is not. Its prebuild-install first looks for the download in a
 * local directory: put the addon the workspace already built there, under the name it would
 * download, so the install takes the path a user with network takes. Without it, it compiles.
 */
function offerWorkspacePrebuilds(): Record<string, string> {
  const pkgDir = join(REPO_ROOT, 'node_modules', 'better-sqlite3');
  const addon = 'build/Release/better_sqlite3.node';
  if (!existsSync(join(pkgDir, addon))) return {};
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const dir = join(work, 'prebuilds');
  mkdirSync(dir, { recursive: true });
  const file = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  run(pkgDir, 'tar', ['-czf', join(dir, file), addon]);
  return { npm_config_better_sqlite3_local_prebuilds: dir };
}

/** An empty CommonJS project (so .mjs is ESM and .cjs is CommonJS) with the given tarballs installed. */
function installProject(name: string, tarballs: string[], extraEnv: Record<string, string> = {}): { dir: string; log: string } {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  // --prefer-offline: dependencies come from the npm cache that `npm ci` filled; only a version the
  // cache lacks (npm resolves ranges to the newest version it knows of) is fetched from the registry.
  // --foreground-scripts: the install scripts' warnings reach the log (npm hides them otherwise).
  const args = ['install', '--prefer-offline', '--no-package-lock', '--foreground-scripts', '--loglevel=warn'];
  const { stdout, stderr } = run(dir, 'npm', [...args, ...tarballs.map((t) => join(work, 'tarballs', t))], extraEnv);
  return { dir, log: stdout + stderr };
}

function tarballOf(name: string): string {
  const found = packed.find((p) => p.name === name);
  if (!found) throw new Error(`${name} was not packed`);
  return found.filename;
}

/** Runs a script in the project and parses the JSON line it prints last. */
function runScript(dir: string, file: string, source: string): Record<string, any> {
  writeFileSync(join(dir, file), source);
  const { stdout } = run(dir, process.execPath, [file], { PMEM_DIR: join(work, 'pmem'), ...(redis ? { REDIS_URL: redis.url } : {}) });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

/** A script body that loads an adapter as `mod` by `load`, then sets, gets and closes. */
const roundTrip = (load: string, name: string) => `
${load}
const cache = await mod.openCache({ dir: ${JSON.stringify(join(work, 'pmem'))}, name: ${JSON.stringify(name)}, capacityBytes: 32 * 1024 * 1024 });
await cache.set('user:1', { name: 'Ada', tags: ['x'] });
const doc = await cache.get('user:1');
await cache.close();
console.log(JSON.stringify({ doc, adapter: cache.adapter }));
`;

beforeAll(async () => {
  for (const p of [core, ...adapters]) {
    if (!p.built) throw new Error(`${p.name} is not built: run npm run build first`);
  }
  work = mkdtempSync(join(tmpdir(), 'pmem-modes-pack-'));
  if (redisAvailable()) redis = await startRedis();
  mkdirSync(join(work, 'tarballs'));
  // One npm pack for all: each -w is a package of the workspace.
  const workspaces = [core, ...adapters].flatMap((p) => ['-w', relative(REPO_ROOT, p.dir)]);
  packed = JSON.parse(run(REPO_ROOT, 'npm', ['pack', '--json', '--loglevel=error', '--pack-destination', join(work, 'tarballs'), ...workspaces]).stdout) as Packed[];
}, 120_000);

afterAll(async () => {
  await redis?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it.each([core, ...adapters].map((p) => [p.name, p] as const))('%s: the tarball has dist with types, sources, no tests', (name, pkg) => {
    const files = packed.find((p) => p.name === name)!.files.map((f) => f.path);
    expect(files).toContain('package.json');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files.filter((f) => /(^|\/)test\/|\.test\.|\.tsbuildinfo$|(^|\/)node_modules\//.test(f))).toEqual([]);
    if (pkg.native) {
      expect(files).toContain('binding.gyp');
      expect(files.some((f) => /\.(cc|cpp|c|h|hpp)$/.test(f))).toBe(true);
      expect(files.filter((f) => /^build\/|\.node$/.test(f))).toEqual([]); // built on install, never shipped
    }
  });
});

describe('installed from the tarballs into an empty project', () => {
  let app: string;
  beforeAll(() => {
    // One install for every package: native adapters compile here, with the system libraries.
    app = installProject('app', [core, ...adapters].map((p) => tarballOf(p.name)), offerWorkspacePrebuilds()).dir;
  }, 300_000);

  it.each([core, ...adapters].map((p) => p.name))('%s is a copy from its tarball, not a link into the monorepo', (name) => {
    const installed = join(app, 'node_modules', name);
    expect(lstatSync(installed).isDirectory()).toBe(true); // lstat: a symlink is not a directory
    expect(existsSync(join(installed, 'test'))).toBe(false);
  });

  it.each(adapters.map((p) => p.name))('%s works with import: set, get, close', (name) => {
    const result = runScript(app, `import-${name.split('/')[1]}.mjs`, roundTrip(`const mod = await import(${JSON.stringify(name)});`, 'esm'));
    expect(result.doc).toEqual({ name: 'Ada', tags: ['x'] });
    expect(`@pmem-modes/${result.adapter}`).toBe(name);
  });

  it.each(adapters.map((p) => p.name))('%s works with require (ESM loaded by require, Node >= 20.19)', (name) => {
    const source = `(async () => {${roundTrip(`const mod = require(${JSON.stringify(name)});`, 'cjs')}})().catch((e) => { console.error(e); process.exit(1); });`;
    const result = runScript(app, `require-${name.split('/')[1]}.cjs`, source);
    expect(result.doc).toEqual({ name: 'Ada', tags: ['x'] });
  });

  it('core errors are the same CacheError class through import and require', () => {
    const result = runScript(
      app,
      'errors.mjs',
      `import { createRequire } from 'node:module';
       import { CacheError, ERROR_CODES } from '@pmem-modes/core';
       const required = createRequire(import.meta.url)('@pmem-modes/core');
       const { openCache } = await import('@pmem-modes/dram');
       const cache = await openCache();
       const err = await cache.set('', 1).catch((e) => e);
       console.log(JSON.stringify({ same: required.CacheError === CacheError, isCacheError: err instanceof CacheError, code: err.code, codes: ERROR_CODES.length }));`,
    );
    expect(result).toEqual({ same: true, isCacheError: true, code: 'ERR_INVALID_KEY', codes: expect.any(Number) });
  });

  it('a TypeScript consumer type-checks against the shipped declarations', () => {
    writeFileSync(
      join(app, 'consumer.mts'),
      `import { openCache } from '@pmem-modes/dram';
       import { CacheError, type DocumentCache, type CacheStats } from '@pmem-modes/core';
       const cache: DocumentCache = await openCache({ capacityBytes: 1024 * 1024 });
       const stats: CacheStats = cache.stats();
       const code: CacheError['code'] = 'ERR_CAPACITY';
       // @ts-expect-error: not an error code
       const wrong: CacheError['code'] = 'ERR_NOPE';
       export { stats, code, wrong };`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(REPO_ROOT, 'node_modules', '@types')] }, files: ['consumer.mts'] }),
    );
    run(app, process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  });
});

describe.runIf(native.length > 0)('a native adapter installed where its system library is missing', () => {
  let bare: string;
  let log: string;
  beforeAll(() => {
    // pkg-config finds no library at all: what an install on a machine without the -dev package sees.
    ({ dir: bare, log } = installProject('bare', [tarballOf(core.name), ...native.map((p) => tarballOf(p.name))], { PKG_CONFIG_LIBDIR: join(work, 'no-pkgconfig'), PKG_CONFIG_PATH: '' }));
  }, 120_000);

  it('npm install succeeds with a warning naming the apt package', () => {
    expect(log).toMatch(/apt-get install (-y )?lib[a-z0-9]+-dev/);
  });

  it.each(native.map((p) => p.name))('%s still imports, and openCache fails ERR_NATIVE_UNAVAILABLE naming the apt package', (name) => {
    const result = runScript(
      bare,
      `bare-${name.split('/')[1]}.mjs`,
      `const mod = await import(${JSON.stringify(name)});
       const err = await mod.openCache({ dir: ${JSON.stringify(join(work, 'pmem'))}, name: 'bare' }).then(() => undefined, (e) => e);
       console.log(JSON.stringify({ exports: typeof mod.openCache, code: err?.code, message: err?.message }));`,
    );
    expect(result.exports).toBe('function');
    expect(result.code).toBe('ERR_NATIVE_UNAVAILABLE');
    expect(result.message).toMatch(/apt-get install (-y )?lib[a-z0-9]+-dev/);
  });
});
