/**
 * Inline SVG charts for the self-contained HTML report: no script, no network, no library. Every
 * mark carries its value in `data-value` so a test (or a reader's devtools) can check what is drawn.
 */

export interface Series {
  name: string;
  /** One value per category; undefined draws nothing. */
  values: Array<number | undefined>;
}

export interface ChartSpec {
  id: string;
  title: string;
  categories: string[];
  series: Series[];
  /** Label of the value axis, e.g. "microseconds (log)". */
  unit: string;
  log?: boolean;
  format: (v: number) => string;
  /** Fixed top of a linear axis (e.g. 1 for ratios). */
  max?: number;
}

const PALETTE = ['#1b6ca8', '#d1495b', '#edae49', '#00798c', '#6a4c93', '#66a182', '#8d6a9f', '#e07a5f', '#3d405b', '#81b29a'];
const W = 760;
const H = 320;
const M = { top: 36, right: 16, bottom: 84, left: 72 };
/** Legend entries per row, and the width of one. */
const LEGEND_PER_ROW = 4;
const LEGEND_WIDTH = 170;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' } as Record<string, string>)[c]};`);
}

export function colorOf(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

interface Scale {
  y(v: number): number;
  ticks: number[];
}

function scale(spec: ChartSpec): Scale {
  const values = spec.series.flatMap((s) => s.values).filter((v): v is number => v !== undefined && Number.isFinite(v));
  const plotH = H - M.top - M.bottom;
  if (spec.log) {
    const positive = values.filter((v) => v > 0);
    const lo = Math.floor(Math.log10(Math.min(...positive, 1)));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...positive, 10))));
    const ticks = Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
    return { ticks, y: (v) => M.top + plotH - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * plotH };
  }
  const top = spec.max ?? niceCeil(Math.max(...values, 0));
  const ticks = Array.from({ length: 5 }, (_, i) => (top * i) / 4);
  return { ticks, y: (v) => M.top + plotH - (Math.max(0, v) / (top || 1)) * plotH };
}

function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((c) => c >= v)!;
}

function frame(spec: ChartSpec, s: Scale, body: string, kind: string): string {
  const plotW = W - M.left - M.right;
  const grid = s.ticks
    .map((t) => `<line x1="${M.left}" x2="${M.left + plotW}" y1="${s.y(t).toFixed(1)}" y2="${s.y(t).toFixed(1)}" class="grid"/><text x="${M.left - 6}" y="${(s.y(t) + 4).toFixed(1)}" text-anchor="end" class="tick">${escapeHtml(spec.format(t))}</text>`)
    .join('');
  const step = plotW / spec.categories.length;
  // Many categories (one per target) would overlap: slant them.
  const slant = spec.categories.length > 6;
  const labels = spec.categories
    .map((c, i) => {
      const x = (M.left + step * (i + 0.5)).toFixed(1);
      const y = H - M.bottom + 16;
      return slant
        ? `<text x="${x}" y="${y}" text-anchor="end" transform="rotate(-30 ${x} ${y})" class="cat">${escapeHtml(c)}</text>`
        : `<text x="${x}" y="${y}" text-anchor="middle" class="cat">${escapeHtml(c)}</text>`;
    })
    .join('');
  const legend = spec.series
    .map((se, i) => `<g transform="translate(${M.left + (i % LEGEND_PER_ROW) * LEGEND_WIDTH},${H - 18 + Math.floor(i / LEGEND_PER_ROW) * 16})"><rect width="10" height="10" fill="${colorOf(i)}"/><text x="14" y="9" class="legend">${escapeHtml(se.name)}</text></g>`)
    .join('');
  return `<figure class="chart"><figcaption>${escapeHtml(spec.title)}</figcaption><svg id="chart-${spec.id}" data-chart="${kind}" viewBox="0 0 ${W} ${H + Math.floor((spec.series.length - 1) / LEGEND_PER_ROW) * 16}" role="img" aria-label="${escapeHtml(spec.title)}" xmlns="http://www.w3.org/2000/svg"><text x="12" y="20" class="unit">${escapeHtml(spec.unit)}</text>${grid}${body}${labels}${legend}</svg></figure>`;
}

/** Grouped bars: one group per category, one bar per series. */
export function barChart(spec: ChartSpec): string {
  const s = scale(spec);
  const plotW = W - M.left - M.right;
  const step = plotW / spec.categories.length;
  const barW = Math.max(2, (step * 0.8) / Math.max(1, spec.series.length));
  const base = s.y(spec.log ? s.ticks[0]! : 0);
  const bars = spec.series
    .flatMap((se, si) =>
      se.values.map((v, ci) => {
        if (v === undefined || !Number.isFinite(v)) return '';
        const x = M.left + step * ci + step * 0.1 + barW * si;
        const y = Math.min(base - 1, s.y(v));
        return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${(base - y).toFixed(1)}" fill="${colorOf(si)}" data-series="${escapeHtml(se.name)}" data-value="${v}"><title>${escapeHtml(`${se.name} ${spec.categories[ci]}: ${spec.format(v)}`)}</title></rect>`;
      }),
    )
    .join('');
  return frame(spec, s, bars, 'bar');
}

/** One line per series across the categories (e.g. latency percentiles). */
export function lineChart(spec: ChartSpec): string {
  const s = scale(spec);
  const plotW = W - M.left - M.right;
  const step = plotW / spec.categories.length;
  const lines = spec.series
    .map((se, si) => {
      const points = se.values.map((v, ci) => (v === undefined ? undefined : ([M.left + step * (ci + 0.5), s.y(v), v] as const))).filter((p) => p !== undefined);
      if (points.length === 0) return '';
      const path = points.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
      const dots = points.map(([x, y, v]) => `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${colorOf(si)}" data-value="${v}"><title>${escapeHtml(`${se.name}: ${spec.format(v)}`)}</title></circle>`).join('');
      return `<path d="${path}" fill="none" stroke="${colorOf(si)}" stroke-width="2" data-series="${escapeHtml(se.name)}"/>${dots}`;
    })
    .join('');
  return frame(spec, s, lines, 'line');
}
