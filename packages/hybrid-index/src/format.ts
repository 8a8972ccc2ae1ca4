/**
 * The on-media layout of a hybrid-index data file: a 4 KiB file header (identity, size, two
 * checkpoint slots) followed by the ring of records. All integers are little-endian; 64-bit
 * values are stored as two 32-bit halves (JavaScript numbers stay below 2^53).
 */
import { crc32 } from 'node:zlib';

/** Identifies the file as ours; the only check before a file counts as foreign. */
export const FILE_MAGIC = Buffer.from('PMMHIDX\n', 'latin1');
/** Bumped on any incompatible layout change; another version is treated as a foreign file. */
export const FORMAT_VERSION = 1;
/** The header takes one page so that the ring starts page-aligned. */
export const FILE_HEADER_BYTES = 4096;

// File header fields (bytes 0-31, crc over 0-27).
const VERSION_AT = 8;
const HEADER_BYTES_AT = 12;
const RING_BYTES_AT = 16;
const HEADER_CRC_AT = 28;

/**
 * Two checkpoint slots, written alternately: {generation, crc, head, floorSeq}. The newer valid
 * slot says where the oldest record of the ring is (head) and which sequence numbers are older
 * than it (floorSeq); a torn slot write leaves the other one in force.
 */
export const CHECKPOINT_SLOTS = [64, 128] as const;
const SLOT_GEN_AT = 0;
const SLOT_CRC_AT = 4;
const SLOT_HEAD_AT = 8;
const SLOT_FLOOR_AT = 16;
export const SLOT_BYTES = 24;

/** Record header: 32 bytes before the key and the JSON text. */
export const RECORD_HEADER_BYTES = 32;
/** First byte of every record header; 0xFE never occurs in UTF-8, so no key or JSON text mimics it. */
export const RECORD_TAG = 0xfe;
export const KIND_DOC = 0x44; // 'D': a document record
export const KIND_PAD = 0x50; // 'P': filler from here to the end of the ring
/** The state byte is the only byte ever changed in place: one byte, so a crash cannot tear it. */
export const STATE_LIVE = 0x4c; // 'L'
export const STATE_DEAD = 0x58; // 'X': deleted, evicted or superseded
export const R_TAG = 0;
export const R_KIND = 1;
export const R_STATE = 2;
export const R_BYTES = 4;
export const R_SEQ = 8;
export const R_KEY_BYTES = 16;
export const R_DOC_BYTES = 20;
export const R_PAYLOAD_CRC = 24;
export const R_HEADER_CRC = 28;

/** Records are 8-byte aligned so that every header field is naturally aligned. */
export function recordBytesFor(keyBytes: number, docBytes: number): number {
  return (RECORD_HEADER_BYTES + keyBytes + docBytes + 7) & ~7;
}

export function readU64(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 0x1_0000_0000;
}

export function writeU64(buf: Buffer, at: number, value: number): void {
  buf.writeUInt32LE(value >>> 0, at);
  buf.writeUInt32LE(Math.floor(value / 0x1_0000_0000), at + 4);
}

export function crcOf(buf: Buffer, start: number, end: number): number {
  return crc32(buf.subarray(start, end));
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/**
 * The same CRC-32 as zlib's, computed in place for a few bytes: record headers are checked on
 * every append and every record of a restart, where a subarray per call would cost more than
 * the checksum.
 */
export function smallCrcOf(buf: Buffer, start: number, end: number): number {
  let c = -1;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** Writes a fresh file header and checkpoint slot 0 (head 0, nothing older than sequence 1). */
export function writeFileHeader(buf: Buffer, ringBytes: number): void {
  buf.fill(0, 0, FILE_HEADER_BYTES);
  FILE_MAGIC.copy(buf, 0);
  buf.writeUInt32LE(FORMAT_VERSION, VERSION_AT);
  buf.writeUInt32LE(FILE_HEADER_BYTES, HEADER_BYTES_AT);
  writeU64(buf, RING_BYTES_AT, ringBytes);
  buf.writeUInt32LE(crcOf(buf, 0, HEADER_CRC_AT), HEADER_CRC_AT);
  writeCheckpointSlot(buf, 0, { generation: 1, head: 0, floorSeq: 0 });
}

export interface Checkpoint {
  generation: number;
  head: number;
  floorSeq: number;
}

export function writeCheckpointSlot(buf: Buffer, slot: 0 | 1, cp: Checkpoint): void {
  const at = CHECKPOINT_SLOTS[slot];
  buf.writeUInt32LE(cp.generation >>> 0, at + SLOT_GEN_AT);
  writeU64(buf, at + SLOT_HEAD_AT, cp.head);
  writeU64(buf, at + SLOT_FLOOR_AT, cp.floorSeq);
  buf.writeUInt32LE(slotCrc(buf, at), at + SLOT_CRC_AT);
}

function slotCrc(buf: Buffer, at: number): number {
  // Covers generation, head and floorSeq (everything but the crc itself).
  return crc32(buf.subarray(at + SLOT_HEAD_AT, at + SLOT_BYTES), crc32(buf.subarray(at, at + SLOT_CRC_AT)));
}

/** What the header of an existing file says, or why it cannot be used. */
export type HeaderVerdict =
  | { ok: true; ringBytes: number; checkpoint: Checkpoint; slot: 0 | 1 }
  | { ok: false; code: 'ERR_POOL_FOREIGN' | 'ERR_POOL_CORRUPT'; reason: string };

/**
 * Judges the first bytes of a file (at most FILE_HEADER_BYTES of them) and its size. Only the
 * magic decides ours-or-foreign; once it matches, anything else wrong means damage.
 */
export function checkFileHeader(head: Buffer, fileBytes: number): HeaderVerdict {
  if (head.length < FILE_MAGIC.length || !head.subarray(0, FILE_MAGIC.length).equals(FILE_MAGIC)) {
    return { ok: false, code: 'ERR_POOL_FOREIGN', reason: 'it does not start with the hybrid-index magic (another program\'s file?)' };
  }
  if (head.length < FILE_HEADER_BYTES) return { ok: false, code: 'ERR_POOL_CORRUPT', reason: `it is truncated to ${fileBytes} bytes` };
  // The version comes before the checksum: another version may place its checksum elsewhere.
  const version = head.readUInt32LE(VERSION_AT);
  if (version !== FORMAT_VERSION) {
    return { ok: false, code: 'ERR_POOL_FOREIGN', reason: `it has format version ${version}; this build reads version ${FORMAT_VERSION}` };
  }
  if (crcOf(head, 0, HEADER_CRC_AT) !== head.readUInt32LE(HEADER_CRC_AT)) {
    return { ok: false, code: 'ERR_POOL_CORRUPT', reason: 'its header checksum does not match' };
  }
  const ringBytes = readU64(head, RING_BYTES_AT);
  if (head.readUInt32LE(HEADER_BYTES_AT) !== FILE_HEADER_BYTES || ringBytes % 8 !== 0 || fileBytes !== FILE_HEADER_BYTES + ringBytes) {
    return { ok: false, code: 'ERR_POOL_CORRUPT', reason: `its size (${fileBytes} bytes) does not match its header (ring of ${ringBytes} bytes)` };
  }
  let best: { checkpoint: Checkpoint; slot: 0 | 1 } | undefined;
  for (const slot of [0, 1] as const) {
    const at = CHECKPOINT_SLOTS[slot];
    if (slotCrc(head, at) !== head.readUInt32LE(at + SLOT_CRC_AT)) continue;
    const checkpoint = { generation: head.readUInt32LE(at + SLOT_GEN_AT), head: readU64(head, at + SLOT_HEAD_AT), floorSeq: readU64(head, at + SLOT_FLOOR_AT) };
    if (checkpoint.head >= ringBytes || checkpoint.head % 8 !== 0) continue;
    // Generations wrap around 2^32: compare by signed difference.
    if (!best || ((checkpoint.generation - best.checkpoint.generation) | 0) > 0) best = { checkpoint, slot };
  }
  if (!best) return { ok: false, code: 'ERR_POOL_CORRUPT', reason: 'neither checkpoint slot is valid' };
  return { ok: true, ringBytes, ...best };
}
