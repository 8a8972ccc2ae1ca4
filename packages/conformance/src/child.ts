/**
 * The child process of the crash and lock tests. Usage:
 *   node child.js <module> <options-json> crash <seed>   write forever, print "ack <i>" per acknowledged op
 *   node child.js <module> <options-json> lock           try to open, print "opened" or "error <code>"
 *   node child.js <module> <options-json> hold           open, print "opened", wait for SIGKILL
 * The crash workload is a deterministic function of (seed, i) so the parent can replay it.
 */
import { writeSync } from 'node:fs';
import type { DocumentCache, OpenCache } from '@pmem-modes/core';
import { crashOp } from './crash-workload.js';

const [, , moduleName, optionsJson, mode, seedText] = process.argv;

/**
 * Writes a line straight into the pipe before the next operation starts. Not process.stdout:
 * once the parent falls behind (a loaded machine), stdout queues writes inside this process, and
 * a SIGKILL then loses acknowledgements of writes that did happen.
 */
function say(line: string): void {
  const data = Buffer.from(`${line}\n`);
  for (let written = 0; written < data.length; ) {
    try {
      written += writeSync(1, data, written);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err; // full: the parent is reading
    }
  }
}

async function main(): Promise<void> {
  const { openCache } = (await import(moduleName!)) as { openCache: OpenCache };
  let cache: DocumentCache;
  try {
    cache = await openCache(JSON.parse(optionsJson!));
  } catch (err) {
    say(`error ${(err as { code?: string }).code ?? String(err)}`);
    process.exit(0);
  }
  say('opened');
  if (mode === 'lock') {
    await cache.close();
    process.exit(0);
  }
  if (mode === 'hold') {
    setInterval(() => undefined, 1000);
    return;
  }
  const seed = Number(seedText);
  for (let i = 0; ; i++) {
    const op = crashOp(seed, i);
    if (op.doc === undefined) await cache.delete(op.key);
    else await cache.set(op.key, op.doc);
    say(`ack ${i}`);
  }
}

main().catch((err) => {
  say(`fatal ${(err as { code?: string }).code ?? ''} ${String(err)}`);
  process.exit(1);
});
