import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
// @ts-expect-error: a plain .mjs helper shared by the workspace's tools, without type declarations
import { REPO_ROOT, workspacePackages } from '../../adapters.mjs';

interface Pkg {
  name: string;
  dir: string;
  native: boolean;
  manifest: Record<string, any>;
}

const packages = workspacePackages() as Pkg[];
// Fixed versioning: core's version is the version of every package.
const version = (packages.find((p) => p.name === '@pmem-modes/core') as Pkg).manifest.version as string;
const release = JSON.parse(readFileSync(join(REPO_ROOT, 'nx.json'), 'utf8')).release;

describe.each(packages.map((p) => [p.name, p] as const))('%s package.json', (_name, pkg) => {
  const m = pkg.manifest;

  it('describes itself for a registry user: description, keywords, license, author', () => {
    expect(typeof m.description === 'string' && m.description.length > 20).toBe(true);
    expect(Array.isArray(m.keywords) && m.keywords.includes('pmem-modes')).toBe(true);
    expect(m.license).toBe('BSD-3-Clause');
    expect(m.author).toBe('the pmem-modes authors');
  });

  it('points at the canonical repository, in its own directory', () => {
    expect(m.repository).toEqual({
      type: 'git',
      url: 'git+https://github.com/pmem-modes/pmem-modes.git',
      directory: relative(REPO_ROOT, pkg.dir),
    });
    expect(m.homepage).toBe('https://github.com/pmem-modes/pmem-modes#readme');
    expect(m.bugs).toEqual({ url: 'https://github.com/pmem-modes/pmem-modes/issues' });
  });

  it('is ESM only, with types and an exports map', () => {
    expect(m.type).toBe('module');
    expect(m.types).toBe('./dist/index.d.ts');
    expect(m.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(m.engines).toEqual({ node: '>=20.19' });
  });

  it('ships dist and sources (native ones too) but no tests', () => {
    expect(m.files).toContain('dist');
    for (const entry of m.files as string[]) expect(entry).not.toMatch(/(^|\/)(test|tests|__tests__)(\/|$)|\.test\./);
    if (pkg.native) {
      expect(m.files).toContain('binding.gyp');
      expect(m.gypfile === true || typeof m.scripts?.install === 'string').toBe(true);
    }
  });

  it('has the release version, and depends on sibling packages at exactly that version', () => {
        expect(m.version).toBe(version);
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
      for (const [dep, range] of Object.entries<string>(m[field] ?? {})) {
        if (packages.some((p) => p.name === dep)) expect(range, `${field}.${dep}`).toBe(m.version);
      }
    }
  });
});

describe('one version for the repository', () => {
  it('nx release versions every package in packages/ together, from conventional commits, with one CHANGELOG.md', () => {
    expect(release).toMatchObject({
      projects: ['packages/*'],
      projectsRelationship: 'fixed',
      version: { conventionalCommits: true },
      changelog: { workspaceChangelog: { file: '{workspaceRoot}/CHANGELOG.md' } },
    });
    expect(existsSync(join(REPO_ROOT, 'CHANGELOG.md'))).toBe(true);
  });

  it('the repository can be cited and its license read', () => {
    const license = readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8');
    expect(license).toContain('BSD 3-Clause License');
    expect(license).toContain('Copyright (c) 2026 the pmem-modes authors');
    const citation = readFileSync(join(REPO_ROOT, 'CITATION.cff'), 'utf8');
    expect(citation).toMatch(/^cff-version: 1\.2\.0$/m);
    expect(citation, 'nx release bumped the packages: bump CITATION.cff too').toContain(`version: ${version}`);
    expect(citation).toContain('license: BSD-3-Clause');
  });
});
