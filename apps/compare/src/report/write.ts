/** Writes report.json, report.md and report.html into `reports/<timestamp>/` (or a given directory). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Report } from '../report-model.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

export interface WrittenReports {
  dir: string;
  json: string;
  markdown: string;
  html: string;
}

/** A directory name from the run's date: 2026-11-25T08-41-48Z. */
export function timestampDir(date: string): string {
  return date.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

export function writeReports(report: Report, root = 'reports', dir = join(root, timestampDir(report.environment.date))): WrittenReports {
  const out = resolve(dir);
  mkdirSync(out, { recursive: true });
  const files = { dir: out, json: join(out, 'report.json'), markdown: join(out, 'report.md'), html: join(out, 'report.html') };
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files.markdown, renderMarkdown(report));
  writeFileSync(files.html, renderHtml(report));
  return files;
}
