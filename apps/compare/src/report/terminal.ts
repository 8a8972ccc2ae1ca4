/** The report as text for the terminal: aligned columns, the headline tables only. */
import type { Report } from '../report-model.js';
import { environmentLines, headlineTables, type Table } from './tables.js';

export function textTable(t: Table): string {
  if (t.rows.length === 0) return `${t.title}\n  (no rows)\n`;
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || t.textColumns?.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const out = [t.title, line(t.header), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)];
  if (t.note) out.push(`(${t.note})`);
  return `${out.join('\n')}\n`;
}

export function renderTerminal(report: Report): string {
  const env = environmentLines(report).map(([k, v]) => `  ${k.padEnd(20)} ${v}`);
  return [`pmem-modes comparison\n${env.join('\n')}\n`, ...headlineTables(report).map(textTable)].join('\n');
}
