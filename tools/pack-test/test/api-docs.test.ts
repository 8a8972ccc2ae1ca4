import { expect, it } from 'vitest';
import { ERROR_CODES } from '@pmem-modes/core';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a plain .mjs helper shared by the workspace's tools, without type declarations
import { REPO_ROOT } from '../../adapters.mjs';

it('npm run docs generates the API reference with every export, method and error code documented', () => {
  const out = mkdtempSync(join(tmpdir(), 'pmem-modes-api-docs-'));
  try {
    // typedoc.json fails the run on any undocumented export, member or enum member (validation).
    const r = spawnSync('npm', ['run', '--silent', 'docs', '--', '--out', out, '--logLevel', 'Warn'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const errorCodes = readFileSync(join(out, 'enums', readdirSync(join(out, 'enums')).find((f) => f.includes('ErrorCode'))!), 'utf8');
    for (const code of ERROR_CODES) expect(errorCodes).toContain(code);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 120_000);
