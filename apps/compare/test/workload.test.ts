import { describe, expect, it } from 'vitest';
import { WORKLOADS, loadStream, workloadStream, type StreamSettings } from '../src/workload.js';

const settings: StreamSettings = { seed: 7, recordCount: 1000, distribution: 'zipfian', docProfile: 'fixed', docBytes: 1024 };
const READ = 0;
const INSERT = 2;
const RMW = 3;

describe('workload streams', () => {
  it('the same seed gives the same keys and documents; another seed does not', () => {
    const a = workloadStream(settings, 'A', 'rep:0', 2000, 1000).stream;
    const b = workloadStream(settings, 'A', 'rep:0', 2000, 1000).stream;
    const c = workloadStream({ ...settings, seed: 8 }, 'A', 'rep:0', 2000, 1000).stream;
    expect(b.keys).toEqual(a.keys);
    expect(b.kinds).toEqual(a.kinds);
    expect(b.docs).toEqual(a.docs);
    expect(c.keys).not.toEqual(a.keys);
  });

  it('each YCSB mix has its read share, and C only reads', () => {
    const readShare = (w: (typeof WORKLOADS)[number]) => {
      const { kinds } = workloadStream(settings, w, 'mix', 20_000, 1000).stream;
      return kinds.filter((k) => k === READ).length / kinds.length;
    };
    expect(readShare('A')).toBeCloseTo(0.5, 1);
    expect(readShare('B')).toBeCloseTo(0.95, 1);
    expect(readShare('C')).toBe(1);
    expect(readShare('D')).toBeCloseTo(0.95, 1);
    const f = workloadStream(settings, 'F', 'mix', 20_000, 1000).stream;
    expect(f.kinds.filter((k) => k === RMW).length / 20_000).toBeCloseTo(0.5, 1);
  });

  it('zipfian keys are skewed, uniform keys are not', () => {
    const topShare = (distribution: 'zipfian' | 'uniform') => {
      const { keys } = workloadStream({ ...settings, distribution }, 'C', 'skew', 50_000, 1000).stream;
      const counts = new Map<number, number>();
      for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
      const sorted = [...counts.values()].sort((x, y) => y - x);
      return sorted.slice(0, 10).reduce((s, n) => s + n, 0) / keys.length;
    };
    expect(topShare('zipfian')).toBeGreaterThan(0.2);
    expect(topShare('uniform')).toBeLessThan(0.03);
  });

  it('D inserts new records past the loaded ones and reads recent ones', () => {
    const { stream, inserted } = workloadStream(settings, 'D', 'rep:0', 5000, 1000);
    const inserts = [...stream.keys].filter((_, i) => stream.kinds[i] === INSERT);
    expect(inserted).toBe(1000 + inserts.length);
    expect(inserts[0]).toBe(1000);
    expect(Math.max(...stream.keys)).toBe(inserted - 1);
  });

  it('documents have the configured JSON size; the mixed profile has a long tail', () => {
    const fixed = loadStream(settings).docs.map((d) => JSON.stringify(d).length);
    expect(new Set(fixed)).toEqual(new Set([1024]));
    const mixed = loadStream({ ...settings, docProfile: 'mixed', recordCount: 5000 }).docs.map((d) => JSON.stringify(d).length).sort((a, b) => a - b);
    expect(mixed[Math.floor(mixed.length / 2)]).toBeLessThan(2048);
    expect(mixed.at(-1)).toBeGreaterThan(64 * 1024);
  });
});
