/** The report as Markdown (report.md): the environment block and every table. */
import type { Report } from '../report-model.js';
import { allTables, environmentLines, type Table } from './tables.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(t: Table): string {
  const out = [`## ${t.title}`, ''];
  if (t.note) out.push(`${t.note}.`, '');
  if (t.rows.length === 0) return [...out, '(no rows)', ''].join('\n');
  out.push(`| ${t.header.map(cell).join(' | ')} |`, `| ${t.header.map((_, i) => (i === 0 || t.textColumns?.includes(i) ? '---' : '---:')).join(' | ')} |`);
  for (const r of t.rows) out.push(`| ${r.map(cell).join(' | ')} |`);
  return [...out, ''].join('\n');
}

export function renderMarkdown(report: Report): string {
  const env = environmentLines(report).map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`);
  return [`# pmem-modes comparison`, '', '| environment | |', '| --- | --- |', ...env, '', ...allTables(report).map(markdownTable)].join('\n');
}
