/** The self-contained HTML report: environment, charts drawn as inline SVG, every table. */
import { formatBytes, formatMs, formatOps, formatUs } from '../format.js';
import type { Report } from '../report-model.js';
import type { WorkloadId } from '../workload.js';
import { barChart, escapeHtml, lineChart } from './charts.js';
import { allTables, environmentLines, type Table } from './tables.js';

function htmlTable(t: Table): string {
  const head = `<tr>${t.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const cell = (c: string, i: number) => `<td${t.textColumns?.includes(i) ? ' class="text"' : ''}>${escapeHtml(c)}</td>`;
  const rows = t.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('');
  return `<section id="table-${t.id}"><h2>${escapeHtml(t.title)}</h2>${t.note ? `<p class="note">${escapeHtml(t.note)}.</p>` : ''}${t.rows.length ? `<table>${head}${rows}</table>` : '<p>(no rows)</p>'}</section>`;
}

function charts(report: Report): string[] {
  const ran = report.targets.filter((t) => t.status === 'ran').map((t) => t.id);
  const w: WorkloadId = report.config.workloads.includes('B') ? 'B' : report.config.workloads[0]!;
  const pick = (id: string, wl: WorkloadId) => report.workloads.find((x) => x.target === id && x.workload === wl && x.mode === 'async');
  const percentiles = [
    ['p50', 'p50'],
    ['p90', 'p90'],
    ['p99', 'p99'],
    ['p999', 'p99.9'],
    ['max', 'max'],
  ] as const;
  const out = [
    lineChart({
      id: 'latency',
      title: `Read latency percentiles, workload ${w} (median over repetitions)`,
      unit: 'latency (log scale)',
      log: true,
      format: formatUs,
      categories: percentiles.map(([, label]) => label),
      series: ran.map((id) => ({ name: id, values: percentiles.map(([k]) => pick(id, w)?.median.read?.[k]) })),
    }),
    barChart({
      id: 'throughput',
      title: 'Throughput by workload (async contract, median)',
      unit: 'operations per second (log scale)',
      log: true,
      format: formatOps,
      categories: report.config.workloads,
      series: ran.map((id) => ({ name: id, values: report.config.workloads.map((wl) => pick(id, wl)?.median.opsPerSec) })),
    }),
  ];
  const restartTargets = [...new Set(report.restart.map((r) => r.target))];
  if (restartTargets.length) {
    const restart = (variant: 'close' | 'sigkill', field: 'hitRatio' | 'localHitRatio' | 'firstServedMs') =>
      restartTargets.map((id) => report.restart.find((r) => r.target === id && r.variant === variant)?.[field]);
    out.push(
      barChart({
        id: 'restart-hits',
        title: `Hit ratio over the first ${report.config.restartProbeOps} reads after a restart`,
        unit: 'hit ratio',
        format: (v) => v.toFixed(2),
        max: 1,
        categories: restartTargets,
        series: [
          { name: 'after close', values: restart('close', 'hitRatio') },
          { name: 'after SIGKILL', values: restart('sigkill', 'hitRatio') },
          // Tiered targets: the reads their local tier served (warm pmem tier vs a dram tier refilling from Redis).
          ...(report.restart.some((r) => r.localHitRatio !== undefined) ? [{ name: 'local tier, after SIGKILL', values: restart('sigkill', 'localHitRatio') }] : []),
        ],
      }),
      barChart({
        id: 'restart-time',
        title: 'Reopen to first served get (a miss pays the modeled origin cost)',
        unit: 'milliseconds (log scale)',
        log: true,
        format: formatMs,
        categories: restartTargets,
        series: [
          { name: 'after close', values: restart('close', 'firstServedMs') },
          { name: 'after SIGKILL', values: restart('sigkill', 'firstServedMs') },
        ],
      }),
    );
  }
  if (report.memory.length) {
    const mem = (f: (m: Report['memory'][number]) => number) => report.memory.map((m) => Math.max(0, f(m)));
    out.push(
      barChart({
        id: 'memory',
        title: `Memory growth while loading ${report.config.restartDocs} documents (fresh process)`,
        unit: 'bytes',
        format: formatBytes,
        categories: report.memory.map((m) => m.target),
        series: [
          { name: 'bytesUsed (medium)', values: mem((m) => m.bytesUsed) },
          { name: 'RSS', values: mem((m) => m.rssDelta) },
          { name: 'V8 heap', values: mem((m) => m.heapUsedDelta) },
          { name: 'external', values: mem((m) => m.externalDelta) },
        ],
      }),
    );
  }
  return out;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1d1d1f;background:#fff}
h1{font-size:24px;margin-bottom:4px}h2{font-size:17px;margin:28px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #ddd;padding:3px 10px;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}th{background:#f4f6f8}
.env td,td.text{text-align:left}.note{color:#555;margin:0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:16px}
figure.chart{margin:0;border:1px solid #e3e3e3;border-radius:6px;padding:8px}
figcaption{font-weight:600;margin-bottom:4px}
svg{width:100%;height:auto}
svg .grid{stroke:#e6e6e6}svg .tick,svg .cat,svg .legend,svg .unit{font-size:12px;fill:#333}
.rec li{margin:4px 0}
`;

export function renderHtml(report: Report): string {
  const env = environmentLines(report)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  const recs = report.recommendations.map((r) => `<li><b>${escapeHtml(r.need)}</b>: ${escapeHtml(r.target ?? 'none')}. <span class="note">${escapeHtml(r.why)}</span></li>`).join('');
  const emulated = report.environment.medium.kind === 'emulated'
    ? '<p class="note">The pmem medium of this run is emulated (tmpfs, i.e. DRAM): pmem figures here show software overhead, not Optane or CXL media latency.</p>'
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>pmem-modes comparison ${escapeHtml(report.environment.date)}</title><style>${STYLE}</style></head>
<body><h1>pmem-modes comparison</h1>${emulated}
<table class="env">${env}</table>
<section id="recommendation"><h2>Recommendation</h2><ul class="rec">${recs}</ul></section>
<section id="charts"><h2>Charts</h2><div class="charts">${charts(report).join('')}</div></section>
${allTables(report).map(htmlTable).join('\n')}
<p class="note">Generated by pmem-modes-compare; the figures are in report.json.</p>
</body></html>
`;
}
