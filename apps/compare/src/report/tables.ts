/** The report's tables as plain rows, rendered by the terminal, Markdown and HTML writers alike. */
import { formatBytes, formatMs, formatOps, formatRatio, formatUs } from '../format.js';
import type { Report, WorkloadResult } from '../report-model.js';
import { WORKLOAD_MIX, type WorkloadId } from '../workload.js';

export interface Table {
  id: string;
  title: string;
  note?: string;
  header: string[];
  rows: string[][];
  /** Columns of prose rather than figures: aligned left in the terminal. */
  textColumns?: number[];
}

const dash = '-';
const us = (v: number | undefined): string => (v === undefined ? dash : formatUs(v));

function ran(report: Report): string[] {
  return report.targets.filter((t) => t.status === 'ran').map((t) => t.id);
}

function result(report: Report, target: string, workload: WorkloadId, mode: 'async' | 'sync' = 'async'): WorkloadResult | undefined {
  return report.workloads.find((w) => w.target === target && w.workload === workload && w.mode === mode);
}

export function targetsTable(report: Report): Table {
  return {
    id: 'targets',
    title: 'Targets',
    note: 'Every known adapter and peer: measured, or skipped with the reason',
    header: ['target', 'what it is', 'status', 'medium'],
    textColumns: [1, 2, 3],
    rows: report.targets.map((t) => [t.id, t.model, t.status === 'ran' ? 'ran' : `skipped: ${t.reason ?? ''}`, t.medium ? `${t.medium.kind}${t.medium.filesystem ? ` (${t.medium.filesystem})` : ''}` : dash]),
  };
}

/** Percentiles of one workload, async contract, median over the repetitions. */
export function workloadTable(report: Report, workload: WorkloadId): Table {
  return {
    id: `workload-${workload}`,
    title: `Workload ${workload} (${WORKLOAD_MIX[workload]})`,
    note: `async contract; median over ${report.config.repetitions} repetitions (best repetition's read p50 in parentheses); ops: timed operations per block, fewer than ${report.config.opsPerRep} when the block reached its ${report.config.blockTimeLimitMs} ms limit`,
    header: ['target', 'ops', 'throughput', 'read p50', 'read p90', 'read p99', 'read p99.9', 'read max', 'write p50', 'write p99', 'misses'],
    rows: ran(report).flatMap((id) => {
      const r = result(report, id, workload);
      if (!r) return [];
      const m = r.median;
      return [[id, String(m.all.count), formatOps(m.opsPerSec), m.read ? `${us(m.read.p50)} (${us(r.best.read?.p50)})` : dash, us(m.read?.p90), us(m.read?.p99), us(m.read?.p999), us(m.read?.max), us(m.write?.p50), us(m.write?.p99), String(m.misses)]];
    }),
  };
}

export function throughputTable(report: Report): Table {
  const workloads = report.config.workloads;
  return {
    id: 'throughput',
    title: 'Throughput by workload (async contract, median)',
    header: ['target', ...workloads],
    rows: ran(report).map((id) => [id, ...workloads.map((w) => (result(report, id, w) ? formatOps(result(report, id, w)!.median.opsPerSec) : dash))]),
  };
}

export function dietTable(report: Report): Table {
  const workloads = report.config.workloads;
  const readW: WorkloadId = workloads.includes('C') ? 'C' : workloads[0]!;
  const writeW: WorkloadId = workloads.includes('A') ? 'A' : workloads[0]!;
  const row = (id: string, w: WorkloadId) => report.latencyDiet.find((d) => d.target === id && d.workload === w && d.mode === 'async');
  return {
    id: 'diet',
    title: 'Latency diet: each target over dram, same run',
    note: `read ratios from workload ${readW}, write ratio from workload ${writeW}; "slowdown" is dram's throughput over the target's`,
    header: ['target', `read p50 (${readW})`, `read p99 (${readW})`, `write p50 (${writeW})`, ...workloads.map((w) => `slowdown ${w}`)],
    rows: ran(report)
      .filter((id) => row(id, readW))
      .map((id) => [id, formatRatio(row(id, readW)?.readP50Ratio), formatRatio(row(id, readW)?.readP99Ratio), formatRatio(row(id, writeW)?.writeP50Ratio), ...workloads.map((w) => formatRatio(row(id, w)?.slowdown))]),
  };
}

export function syncTable(report: Report): Table {
  const w: WorkloadId = report.config.workloads.includes('B') ? 'B' : report.config.workloads[0]!;
  return {
    id: 'sync',
    title: `Sync column: getSync/setSync vs the async contract (workload ${w}, median)`,
    note: 'only in-process targets (capabilities.sync) offer the synchronous calls',
    header: ['target', 'getSync p50', 'get p50', 'setSync p50', 'set p50', 'sync throughput', 'async throughput'],
    rows: ran(report).flatMap((id) => {
      const s = result(report, id, w, 'sync');
      const a = result(report, id, w);
      if (!s || !a) return [];
      return [[id, us(s.median.read?.p50), us(a.median.read?.p50), us(s.median.write?.p50), us(a.median.write?.p50), formatOps(s.median.opsPerSec), formatOps(a.median.opsPerSec)]];
    }),
  };
}

export function memoryTable(report: Report): Table {
  return {
    id: 'memory',
    title: `Memory: a fresh process loading ${report.config.restartDocs} documents`,
    note: 'growth from the empty open cache to the loaded one, after a full GC; bytesUsed is what the adapter accounts on its medium',
    header: ['target', 'bytesUsed', 'RSS', 'V8 heap', 'external', 'arrayBuffers', 'RSS after'],
    rows: report.memory.map((m) => [m.target, formatBytes(m.bytesUsed), formatBytes(m.rssDelta), formatBytes(m.heapUsedDelta), formatBytes(m.externalDelta), formatBytes(m.arrayBuffersDelta), formatBytes(m.rssAfter)]),
  };
}

export function restartTable(report: Report): Table {
  // The local tier's column appears when a tiered target ran; the other targets show '-' in it.
  const tiered = report.restart.some((r) => r.localHitRatio !== undefined);
  return {
    id: 'restart',
    title: `Restart: ${report.config.restartDocs} documents, then close or SIGKILL, then reopen`,
    note:
      `hit ratio over the first ${report.config.restartProbeOps} reads; a miss costs a modeled ${report.config.missPenaltyUs} us at the origin (included in "first get" and "mean serve")` +
      (tiered ? '; local-tier hit ratio: the share of those reads served by a tiered target\'s local tier without asking the shared one (its hit ratio also counts reads served by Redis)' : ''),
    textColumns: [1],
    header: ['target', 'stop', 'open', 'first get served', 'hit ratio', ...(tiered ? ['local-tier hit ratio'] : []), 'mean serve'],
    rows: report.restart.map((r) => [r.target, r.variant, formatMs(r.openMs), formatMs(r.firstServedMs), r.hitRatio.toFixed(3), ...(tiered ? [r.localHitRatio === undefined ? dash : r.localHitRatio.toFixed(3)] : []), formatUs(r.meanServeUs)]),
  };
}

export function crashTable(report: Report): Table {
  return {
    id: 'crash',
    title: 'Crash trials: SIGKILL during writes (crash-consistent targets)',
    note: 'expected: zero acknowledged writes lost, zero torn documents, a small recovery time',
    header: ['target', 'trials', 'acknowledged writes', 'lost', 'torn', 'recovery (median)', 'recovery (max)'],
    rows: report.crash.map((c) => [c.target, String(c.trials), String(c.acknowledged), String(c.lost), String(c.torn), formatMs(c.recoveryMsMedian), formatMs(c.recoveryMsMax)]),
  };
}

export function recommendationTable(report: Report): Table {
  return {
    id: 'recommendation',
    title: 'Recommendation: your need, the target that measured best for it',
    header: ['need', 'target', 'why'],
    textColumns: [1, 2],
    rows: report.recommendations.map((r) => [r.need, r.target ?? 'none', r.why]),
  };
}

/** Every table, in report order. */
export function allTables(report: Report): Table[] {
  return [
    targetsTable(report),
    dietTable(report),
    throughputTable(report),
    ...report.config.workloads.map((w) => workloadTable(report, w)),
    syncTable(report),
    memoryTable(report),
    restartTable(report),
    crashTable(report),
    recommendationTable(report),
  ];
}

/** The tables the terminal shows: the headline ones. */
export function headlineTables(report: Report): Table[] {
  const w: WorkloadId = report.config.workloads.includes('B') ? 'B' : report.config.workloads[0]!;
  return [targetsTable(report), workloadTable(report, w), dietTable(report), throughputTable(report), syncTable(report), memoryTable(report), restartTable(report), crashTable(report), recommendationTable(report)];
}

export function environmentLines(report: Report): Array<[string, string]> {
  const e = report.environment;
  return [
    ['date', e.date],
    ['command', e.command],
    ['CPU', `${e.cpuModel} x ${e.cpuCount} (clwb ${e.cpuFlags.clwb ? 'yes' : 'no'}, clflushopt ${e.cpuFlags.clflushopt ? 'yes' : 'no'})`],
    ['kernel', e.kernel],
    ['Node', e.node],
    ['memory', formatBytes(e.memoryBytes)],
    ['PMDK (libpmemobj)', e.pmdk],
    ['memkind', e.memkind],
    ['medium', `${e.medium.kind}: ${e.medium.description}`],
    ['PMEM_IS_PMEM_FORCE', e.pmemIsPmemForce],
    ['clock overhead', `p50 ${formatUs(e.timer.p50)}, p99 ${formatUs(e.timer.p99)}`],
    ['workload', `${report.config.recordCount} records, ${report.config.opsPerRep} ops x ${report.config.repetitions} repetitions (+${report.config.warmupOps} warm-up), ${report.config.distribution} keys, ${report.config.docProfile === 'fixed' ? `${report.config.docBytes}-byte` : 'mixed long-tail'} documents, seed ${report.config.seed}`],
    ['wall time', `${(report.wallMs / 1000).toFixed(1)} s`],
  ];
}
