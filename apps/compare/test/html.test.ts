import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runComparison, writeReports } from '@pmem-modes/compare';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let out: string;
let htmlPath: string;
let browser: Browser;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'compare-html-'));
  const report = await runComparison({
    targets: ['dram', 'lmdb', 'redis'],
    recordCount: 200,
    opsPerRep: 300,
    warmupOps: 50,
    repetitions: 2,
    restartDocs: 200,
    restartProbeOps: 300,
    crashTrials: 2,
  });
  htmlPath = writeReports(report, out).html;
  // launch() gives every browser a fresh temporary profile (the --user-data-dir of the flags).
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  // The screenshot stays for a person to look at; everything else goes.
  if (process.env.KEEP_REPORT_SCREENSHOT === undefined) rmSync(out, { recursive: true, force: true });
});

describe('report.html in headless Chromium', () => {
  it('renders its charts with data, logs no errors, and screenshots', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });

    const charts = await page.$$eval('svg[data-chart]', (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        const marks = [...svg.querySelectorAll('[data-value]')].map((m) => Number(m.getAttribute('data-value')));
        return { id: svg.id, width: box.width, height: box.height, marks: marks.length, positive: marks.filter((v) => v > 0).length };
      }),
    );
    expect(charts.map((c) => c.id).sort()).toEqual(['chart-latency', 'chart-memory', 'chart-restart-hits', 'chart-restart-time', 'chart-throughput']);
    for (const c of charts) {
      expect(c.width, c.id).toBeGreaterThan(300);
      expect(c.height, c.id).toBeGreaterThan(100);
      expect(c.positive, `${c.id} has marks with data`).toBeGreaterThan(2);
    }
    // Three targets: five percentiles each on the latency chart, five workloads each on throughput.
    expect(charts.find((c) => c.id === 'chart-latency')!.marks).toBe(15);
    expect(charts.find((c) => c.id === 'chart-throughput')!.marks).toBe(15);
    expect(await page.locator('#table-diet tr').count()).toBe(4);
    expect(await page.locator('#recommendation li').count()).toBe(5);

    const shot = join(out, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    console.log(`screenshot: ${shot}`);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  });
});
