/**
 * The content of one document file: a 16-byte header, the key, the JSON text.
 *
 *   offset 0   "PMF1"      magic and layout version
 *          4   u32 LE      key length in UTF-8 bytes
 *          8   u32 LE      JSON length in UTF-8 bytes
 *         12   u32 LE      CRC-32 of key and JSON
 *         16   key, then JSON
 *
 * The key is kept inside the file because the file name is a hash of it: `keys()` reads keys from
 * here, and a hash collision shows as a key that does not match rather than another key's document.
 */
import { crc32 } from 'node:zlib';

const MAGIC = Buffer.from('PMF1', 'latin1').readUInt32LE(0);
const HEADER_BYTES = 16;

export function encodeRecord(key: string, json: string, jsonBytes: number): Buffer {
  const keyBytes = Buffer.byteLength(key, 'utf8');
  const record = Buffer.allocUnsafe(HEADER_BYTES + keyBytes + jsonBytes);
  record.writeUInt32LE(MAGIC, 0);
  record.writeUInt32LE(keyBytes, 4);
  record.writeUInt32LE(jsonBytes, 8);
  record.write(key, HEADER_BYTES, 'utf8');
  record.write(json, HEADER_BYTES + keyBytes, 'utf8');
  record.writeUInt32LE(crc32(record.subarray(HEADER_BYTES)), 12);
  return record;
}

/** A record read back whole, or why it is not. */
export type DecodedRecord = { key: string; json: Uint8Array; size: number } | { damage: string };

/** Decodes a whole file; `size` is what the document counts against capacity (key + JSON bytes). */
export function decodeRecord(file: Buffer): DecodedRecord {
  if (file.length < HEADER_BYTES) return { damage: `${file.length} bytes, shorter than the record header` };
  if (file.readUInt32LE(0) !== MAGIC) return { damage: 'it does not start with a PMF1 record header' };
  const keyBytes = file.readUInt32LE(4);
  const jsonBytes = file.readUInt32LE(8);
  if (HEADER_BYTES + keyBytes + jsonBytes !== file.length) {
    return { damage: `${file.length} bytes where its header announces ${HEADER_BYTES + keyBytes + jsonBytes}` };
  }
  if (crc32(file.subarray(HEADER_BYTES)) !== file.readUInt32LE(12)) return { damage: 'its CRC-32 does not match its content' };
  return {
    key: file.toString('utf8', HEADER_BYTES, HEADER_BYTES + keyBytes),
    json: file.subarray(HEADER_BYTES + keyBytes),
    size: keyBytes + jsonBytes,
  };
}
