/**
 * Loads the libpmem addon once. It is optional at install time (no libpmem, no addon), so a
 * failure to load becomes ERR_NATIVE_UNAVAILABLE naming the Debian package to install.
 */
import { fileURLToPath } from 'node:url';
import { CacheError, requireNativeAddon } from '@pmem-modes/core';

export interface PmemAddon {
  setErrorClass(errorClass: typeof CacheError): void;
  /** Maps the whole existing file. */
  mapFile(path: string): { buffer: Buffer; isPmem: boolean };
  /** Flushes a range of a mapping: CPU cache flushes when isPmem, msync otherwise. */
  persist(buffer: Buffer, isPmem: boolean, offset: number, length: number): void;
  /** Detaches the buffer; the mapping goes once nothing refers to it. */
  unmap(buffer: Buffer): void;
}

export const ADDON_PATH = fileURLToPath(new URL('../build/Release/hybrid_index.node', import.meta.url));

const loaded = new Map<string, PmemAddon>();

export function loadAddon(path: string = ADDON_PATH): PmemAddon {
  let addon = loaded.get(path);
  if (addon) return addon;
  addon = requireNativeAddon<PmemAddon>(path, 'hybrid-index', 'It needs libpmem: apt-get install libpmem-dev pkg-config, then npm rebuild @pmem-modes/hybrid-index.');
  addon.setErrorClass(CacheError);
  loaded.set(path, addon);
  return addon;
}
