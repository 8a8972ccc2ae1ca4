/** Options of this adapter: refused before anything is opened, with a message that says what to do. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveDir } from '@pmem-modes/core';
import { expectCode } from '@pmem-modes/conformance';
import { openCache } from '@pmem-modes/hybrid-tiered';

const dir = mkdtempSync(join(resolveDir(), 'hybrid-tiered-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Nothing listens here: a check that passed would fail later with ERR_REMOTE_UNAVAILABLE instead.
const base = { dir, redis: 'redis://127.0.0.1:1', local: '@pmem-modes/dram' };

describe('openCache options', () => {
  it('refuses a redis option that is neither a URL nor { nodes: [...] }', async () => {
    for (const redis of ['127.0.0.1:6379', 'http://x', 6379, { nodes: [] }, { host: 'x' }, null]) {
      const e = await expectCode(() => openCache({ ...base, redis: redis as never }), 'ERR_INVALID_OPTION');
      expect(e.message).toMatch(/redis:\/\/ URL or \{ nodes/);
    }
  });

  it('refuses a keyPrefix with braces (the namespace is one hash tag) or of the wrong type', async () => {
    for (const keyPrefix of ['a{b', 'x}', 5, 'k'.repeat(129)]) {
      await expectCode(() => openCache({ ...base, keyPrefix: keyPrefix as never }), 'ERR_INVALID_OPTION');
    }
  });

  it('refuses a bad local module name or localOptions, and names a misspelled option', async () => {
    await expectCode(() => openCache({ ...base, local: '' }), 'ERR_INVALID_OPTION');
    await expectCode(() => openCache({ ...base, localOptions: [] as never }), 'ERR_INVALID_OPTION');
    const typo = await expectCode(() => openCache({ ...base, keyprefix: 'x' } as never), 'ERR_INVALID_OPTION');
    expect(typo.message).toContain('keyPrefix');
  });

  it('a local tier that cannot be loaded gives ERR_NATIVE_UNAVAILABLE naming what to install', async () => {
    const e = await expectCode(() => openCache({ ...base, local: '@pmem-modes/no-such-tier' }), 'ERR_NATIVE_UNAVAILABLE');
    expect(e.message).toContain('npm install @pmem-modes/no-such-tier');
    expect(e.message).toContain('@pmem-modes/dram');
  });

  it('Redis unreachable at open gives ERR_REMOTE_UNAVAILABLE naming the server', async () => {
    const e = await expectCode(() => openCache(base), 'ERR_REMOTE_UNAVAILABLE');
    expect(e.message).toContain('redis://127.0.0.1:1');
    expect(readdirSync(dir)).toEqual(['hybrid-tiered-default']);
  });
});
