/**
 * How a document sits in the local tier: one JSON string `"<version> <json>"`. The local tier is any
 * DocumentCache, which stores JSON values; a string keeps the document's own JSON text intact (no
 * re-encoding of the document on a hit), and the version travels with it in the same atomic write,
 * so a local entry can never pair one version with another version's text.
 */

export function encodeLocalEntry(version: string, json: string): string {
  return `${version} ${json}`;
}

/** The version and JSON text of a local entry; undefined for anything this adapter did not write. */
export function decodeLocalEntry(entry: unknown): { version: string; json: string } | undefined {
  if (typeof entry !== 'string') return undefined;
  const space = entry.indexOf(' ');
  if (space <= 0) return undefined;
  return { version: entry.slice(0, space), json: entry.slice(space + 1) };
}
