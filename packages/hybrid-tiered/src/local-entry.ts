/**
 * How a document sits in the local tier: the JSON array `[version, document]`. The local tier is
 * any DocumentCache; storing the document as part of one value means a hit costs one decode (no
 * second parse), and the version travels with the document in the same atomic local write, so a
 * local entry can never pair one version with another version's document.
 */
import type { Doc } from '@pmem-modes/core';

export type LocalEntry = [version: string, doc: Doc];

export function encodeLocalEntry(version: string, doc: Doc): LocalEntry {
  return [version, doc];
}

/** The entry read back; undefined for anything this adapter did not write. */
export function decodeLocalEntry(value: Doc | undefined): { version: string; doc: Doc } | undefined {
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string') return undefined;
  return { version: value[0], doc: value[1]! };
}
