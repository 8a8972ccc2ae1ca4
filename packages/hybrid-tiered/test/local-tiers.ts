/**
 * The local tiers the tests run the adapter with: dram always (the "dram in front of Redis"
 * baseline), app-direct (the default, persistent memory) when it is installed and its native
 * library works on this machine. Files run a section per available tier and show the others as skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDir, type Capabilities, type OpenCache } from '@pmem-modes/core';

export interface LocalTier {
  module: string;
  /** Why it cannot run here, or undefined when it can. */
  unavailable: string | undefined;
  /** Whether the local tier refuses a second opener (the hybrid inherits it). */
  exclusive: boolean;
  /** Whether the local tier keeps its entries across a restart (warm restart). */
  persistent: boolean;
}

async function probe(module: string): Promise<LocalTier> {
  const dir = mkdtempSync(join(resolveDir(), 'probe-'));
  try {
    const { openCache } = (await import(module)) as { openCache: OpenCache };
    const cache = await openCache({ dir, name: 'probe' });
    const { exclusive, persistent } = cache.capabilities;
    await cache.close();
    return { module, unavailable: undefined, exclusive, persistent };
  } catch (err) {
    return { module, unavailable: (err as Error).message.split('\n')[0], exclusive: false, persistent: false };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const LOCAL_TIERS: LocalTier[] = await Promise.all(['@pmem-modes/dram', '@pmem-modes/app-direct'].map(probe));

export function hybridCapabilities(tier: LocalTier): Capabilities {
  return { persistent: true, crashConsistent: true, evicts: true, sync: false, exclusive: tier.exclusive, shared: true };
}
