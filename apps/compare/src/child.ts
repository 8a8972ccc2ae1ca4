/**
 * The comparison app's child process: opens a target, loads the restart documents, reports its
 * memory, then waits to be killed (the SIGKILL restart scenario). Usage:
 *   node child.js <module> <options-json> <settings-json>
 * It prints one line, `loaded <json>` (or `error <message>`), then idles until SIGKILL.
 */
import type { OpenCache } from '@pmem-modes/core';
import { collectGarbage, runUntimed } from './measure.js';
import { loadStream, type StreamSettings } from './workload.js';

export interface ChildMemory {
  /** process.memoryUsage() after opening the empty cache. */
  before: NodeJS.MemoryUsage;
  /** process.memoryUsage() after loading every document. */
  after: NodeJS.MemoryUsage;
  bytesUsed: number;
  count: number;
}

const [, , moduleName, optionsJson, settingsJson] = process.argv;

async function main(): Promise<void> {
  const { openCache } = (await import(moduleName!)) as { openCache: OpenCache };
  const cache = await openCache(JSON.parse(optionsJson!));
  const stream = loadStream(JSON.parse(settingsJson!) as StreamSettings);
  collectGarbage();
  const before = process.memoryUsage();
  await runUntimed(cache, stream, 'async');
  collectGarbage();
  const after = process.memoryUsage();
  const { bytesUsed, count } = cache.stats();
  const report: ChildMemory = { before, after, bytesUsed, count };
  process.stdout.write(`loaded ${JSON.stringify(report)}\n`);
  setInterval(() => undefined, 60_000);
}

main().catch((err) => {
  process.stdout.write(`error ${(err as { code?: string }).code ?? ''} ${(err as Error).message ?? String(err)}`.replace(/\n/g, ' ') + '\n');
  process.exit(1);
});
