import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KNOWN_TARGETS, runComparison, writeReports, type LatencySummary, type Report } from '@pmem-modes/compare';

/** A tiny configuration: every target end to end in seconds. */
const TINY = { recordCount: 200, opsPerRep: 300, warmupOps: 50, blockTimeLimitMs: 60_000, repetitions: 2, restartDocs: 200, restartProbeOps: 300, crashTrials: 2, command: 'report.test.ts' };
const UNAVAILABLE = { id: 'unavailable', module: fileURLToPath(new URL('./fixtures/unavailable-adapter.mjs', import.meta.url)), label: 'missing library', model: 'test stand-in', kind: 'adapter' as const };

let report: Report;
let out: string;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'compare-report-'));
  // The data goes to the default pmem directory (a fresh subdirectory the run removes).
  report = await runComparison({ ...TINY, extraTargets: [UNAVAILABLE] });
}, 300_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

function ordered(s: LatencySummary | undefined): void {
  if (!s) return;
  const seq = [s.p50, s.p90, s.p99, s.p999, s.max];
  expect(seq.every((v) => v > 0)).toBe(true);
  expect([...seq].sort((a, b) => a - b)).toEqual(seq);
}

describe('runComparison on a tiny configuration', () => {
  it('reports every known target, as measured or as skipped with a reason', () => {
    for (const spec of KNOWN_TARGETS) {
      const t = report.targets.find((x) => x.id === spec.id);
      expect(t, spec.id).toBeDefined();
      if (t!.status === 'skipped') expect(t!.reason?.length, `${spec.id} has a reason`).toBeGreaterThan(10);
    }
    // dram and lmdb have no system dependency: they always run.
    expect(report.targets.find((t) => t.id === 'dram')!.status).toBe('ran');
    expect(report.targets.find((t) => t.id === 'lmdb')!.status).toBe('ran');
  });

  it('a target that cannot open is skipped with its CacheError code and fix, and the run goes on', () => {
    const t = report.targets.find((x) => x.id === 'unavailable')!;
    expect(t.status).toBe('skipped');
    expect(t.reason).toMatch(/^ERR_NATIVE_UNAVAILABLE: .*apt-get install libexample-dev/);
    expect(report.workloads.some((w) => w.target === 'unavailable')).toBe(false);
  });

  it('has every workload for every target that ran, with ordered percentiles in every repetition', () => {
    const ran = report.targets.filter((t) => t.status === 'ran');
    for (const t of ran) {
      for (const w of report.config.workloads) {
        const r = report.workloads.find((x) => x.target === t.id && x.workload === w && x.mode === 'async');
        expect(r, `${t.id} ${w}`).toBeDefined();
        expect(r!.reps).toHaveLength(TINY.repetitions);
        for (const rep of r!.reps) {
          expect(rep.all.count).toBe(TINY.opsPerRep);
          expect(rep.misses).toBe(0);
          [rep.all, rep.read, rep.write].forEach(ordered);
        }
        [r!.median.all, r!.median.read, r!.median.write, r!.best.all, r!.best.read].forEach(ordered);
        expect(r!.best.opsPerSec).toBeGreaterThanOrEqual(r!.median.opsPerSec);
      }
      const sync = report.workloads.some((x) => x.target === t.id && x.mode === 'sync');
      expect(sync, `${t.id} sync column`).toBe(t.capabilities!.sync);
    }
  });

  it('computes the latency diet from dram measured in the same run', () => {
    const dramC = report.workloads.find((w) => w.target === 'dram' && w.workload === 'C' && w.mode === 'async')!;
    const lmdbC = report.workloads.find((w) => w.target === 'lmdb' && w.workload === 'C' && w.mode === 'async')!;
    const row = report.latencyDiet.find((d) => d.target === 'lmdb' && d.workload === 'C' && d.mode === 'async')!;
    expect(row.readP50Ratio).toBeCloseTo(lmdbC.median.read!.p50 / dramC.median.read!.p50, 10);
    expect(row.slowdown).toBeCloseTo(dramC.median.opsPerSec / lmdbC.median.opsPerSec, 10);
    for (const d of report.latencyDiet.filter((x) => x.target === 'dram')) expect(d.slowdown).toBe(1);
  });

  it('counts the crash trials of every crash-consistent target: nothing acknowledged lost, nothing torn', () => {
    const crashConsistent = report.targets.filter((t) => t.status === 'ran' && t.capabilities?.crashConsistent);
    expect(crashConsistent.map((t) => t.id)).toContain('lmdb');
    for (const t of crashConsistent) {
      const c = report.crash.find((x) => x.target === t.id);
      expect(c, t.id).toBeDefined();
      expect(c!.trials).toBe(TINY.crashTrials);
      expect(c!.acknowledged).toBeGreaterThan(0);
      expect(c!.lost).toBe(0);
      expect(c!.torn).toBe(0);
      expect(c!.recoveryMsMax).toBeGreaterThanOrEqual(c!.recoveryMsMedian);
    }
    expect(report.crash.some((c) => c.target === 'dram')).toBe(false);
  });

  it('restarts every target twice: a persistent one serves warm, dram re-warms from the origin', () => {
    for (const t of report.targets.filter((x) => x.status === 'ran')) {
      expect(report.restart.filter((r) => r.target === t.id).map((r) => r.variant).sort(), t.id).toEqual(['close', 'sigkill']);
    }
    for (const variant of ['close', 'sigkill'] as const) {
      const lmdb = report.restart.find((r) => r.target === 'lmdb' && r.variant === variant)!;
      const dram = report.restart.find((r) => r.target === 'dram' && r.variant === variant)!;
      expect(lmdb.hitRatio).toBe(1);
      expect(dram.hitRatio).toBeLessThan(1);
      // dram's first read misses and pays the origin.
      expect(dram.firstServedMs).toBeGreaterThanOrEqual(report.config.missPenaltyUs / 1000);
    }
  });

  it('has the "dram in front of Redis" baseline, and only the pmem local tier is still warm after a restart', () => {
    const tiered = report.targets.find((t) => t.id === 'hybrid-tiered')!;
    const baseline = report.targets.find((t) => t.id === 'dram-tiered');
    expect(baseline, 'dram-tiered row').toBeDefined();
    expect(baseline!.model).toMatch(/DRAM tier in front of shared Redis/);
    if (baseline!.status === 'skipped' || tiered.status === 'skipped') {
      // Without a Redis server (or without libpmemobj for the pmem tier) the rows say why.
      for (const t of [tiered, baseline!].filter((x) => x.status === 'skipped')) expect(t.reason, t.id).toMatch(/Redis|redis-server|ERR_NATIVE_UNAVAILABLE/);
      return;
    }
    expect(baseline!.medium?.kind).toBe('dram');
    for (const variant of ['close', 'sigkill'] as const) {
      const pmemTier = report.restart.find((r) => r.target === 'hybrid-tiered' && r.variant === variant)!;
      const dramTier = report.restart.find((r) => r.target === 'dram-tiered' && r.variant === variant)!;
      // Both serve every read (Redis still has the documents); only the local tiers differ.
      expect(pmemTier.hitRatio, variant).toBe(1);
      expect(dramTier.hitRatio, variant).toBe(1);
      expect(pmemTier.localHitRatio, variant).toBeGreaterThan(dramTier.localHitRatio!);
      expect(pmemTier.localHitRatio, variant).toBeGreaterThan(0.9);
    }
    // Targets without tiers have no local hit ratio: '-' in the table.
    expect(report.restart.filter((r) => r.target === 'dram').every((r) => r.localHitRatio === undefined)).toBe(true);
  });

  it('measures memory in a fresh process per target, with the bytes on the medium', () => {
    for (const t of report.targets.filter((x) => x.status === 'ran')) {
      const m = report.memory.find((x) => x.target === t.id);
      expect(m, t.id).toBeDefined();
      // 200 documents of 1 KiB plus keys.
      expect(m!.bytesUsed).toBeGreaterThan(200 * 1024);
      expect(m!.rssAfter).toBeGreaterThan(m!.rssDelta);
    }
  });

  it('describes the environment and maps every need to a target or says why none', () => {
    const e = report.environment;
    expect(e.node).toBe(process.version);
    expect(e.command).toBe('report.test.ts');
    expect(typeof e.cpuFlags.clwb).toBe('boolean');
    expect(['dax', 'emulated', 'disk']).toContain(e.medium.kind);
    expect(report.recommendations.map((r) => r.need)).toHaveLength(5);
    for (const r of report.recommendations) expect(r.why.length).toBeGreaterThan(10);
    expect(report.recommendations[0]!.target).toBeDefined();
  });

  it('writes report.json (which reads back equal), report.md and report.html', () => {
    const files = writeReports(report, out);
    expect(JSON.parse(readFileSync(files.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
    const md = readFileSync(files.markdown, 'utf8');
    expect(md).toContain('## Latency diet');
    expect(md).toContain('| lmdb |');
    if (report.restart.some((r) => r.localHitRatio !== undefined)) {
      expect(md).toContain('| local-tier hit ratio |');
      expect(md).toMatch(/^\| dram \| close \|(?:[^|]*\|){3} - \|/m);
    }
    const html = readFileSync(files.html, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});
