import type { Doc, DocumentCache } from '@pmem-modes/core';

/** Every key and its document, read back, as a plain object sorted by key. */
export async function snapshot(cache: DocumentCache): Promise<Record<string, Doc | undefined>> {
  const keys: string[] = [];
  for await (const k of cache.keys()) keys.push(k);
  keys.sort();
  const entries: Array<[string, Doc | undefined]> = [];
  for (const k of keys) entries.push([k, await cache.get(k)]);
  return Object.fromEntries(entries); // own properties, even for the key __proto__
}
