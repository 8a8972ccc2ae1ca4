/**
 * The vitest settings every package shares: the usual terminal output, plus a JSON report per
 * package that tools/test.sh adds up into one closing line.
 */
import { defineConfig } from 'vitest/config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function packageConfig(dir: string) {
  const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string };
  const out = join(dir, '..', '..', '.vitest-results', `${name.replace(/[@/]/g, '_')}.json`);
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      reporters: ['default', 'json'],
      outputFile: { json: out },
      // Tests spawn processes and map pools: run files one at a time on small machines.
      fileParallelism: false,
    },
  });
}
