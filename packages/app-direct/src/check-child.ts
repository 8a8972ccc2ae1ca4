/**
 * Child process of the unclean-shutdown check: `node check-child.js <pool>` prints PMDK's verdict.
 * If PMDK crashes on a damaged pool, only this process dies.
 */
import { detectMedium } from '@pmem-modes/core';
import { loadNative } from './native.js';

const path = process.argv[2];
if (!path) {
  process.stdout.write('error: no pool path given\n');
  process.exit(2);
}
process.stdout.write(`${loadNative(detectMedium(path)).checkPool(path)}\n`);
