import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'compare-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function run(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe('pmem-modes-compare', () => {
  it('--help lists the flags and exits 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--quick');
    expect(r.stdout).toContain('--miss-penalty-us');
  });

  it('a bad flag value exits 2 naming the flag, and runs nothing', () => {
    const r = run(['--reps', '0', '--out', join(out, 'never')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--reps takes a positive integer, got "0"');
    expect(existsSync(join(out, 'never'))).toBe(false);
    const t = run(['--targets', 'dram,nosuch']);
    expect(t.status).toBe(2);
    expect(t.stderr).toContain('unknown target(s) nosuch');
  });

  it('prints the tables, plain progress lines when not a TTY, and writes the three reports', () => {
    const dir = join(out, 'run');
    const r = run(['--targets', 'dram,lmdb', '--records', '50', '--ops', '60', '--warmup', '10', '--reps', '1', '--restart-docs', '50', '--probe-ops', '50', '--crash-trials', '1', '--out', dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Latency diet: each target over dram, same run');
    expect(r.stdout).toMatch(/^lmdb +/m);
    expect(r.stderr).toMatch(/^\[1\/\d+\] rep 1\/1 A /m);
    for (const f of ['report.json', 'report.md', 'report.html']) expect(existsSync(join(dir, f)), f).toBe(true);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.environment.command).toContain('pmem-modes-compare --targets dram,lmdb');
    expect(report.targets.map((t: { id: string }) => t.id)).toEqual(['dram', 'lmdb']);
  });
});
