/**
 * The record ring in persistent memory: append-only writes at the tail, in-place "dead" marks,
 * and a cleaner that frees space at the head by moving the live records it meets to the tail.
 * Nothing about the index is stored: the chain of records from the checkpointed head, with
 * strictly increasing sequence numbers, is the whole state, and `scan` rebuilds from it.
 *
 * Durability order: a record's bytes are flushed before its append returns; a dead mark is one
 * byte, flushed before the delete returns; the head moves (checkpoint) only after the records
 * moved out of its way are flushed. A crash leaves at most one torn record, the newest, which
 * `scan` detects by its checksum.
 */
import {
  CHECKPOINT_SLOTS,
  FILE_HEADER_BYTES,
  KIND_DOC,
  KIND_PAD,
  RECORD_HEADER_BYTES,
  RECORD_TAG,
  R_BYTES,
  R_DOC_BYTES,
  R_HEADER_CRC,
  R_KEY_BYTES,
  R_KIND,
  R_PAYLOAD_CRC,
  R_SEQ,
  R_STATE,
  R_TAG,
  SLOT_BYTES,
  STATE_DEAD,
  STATE_LIVE,
  crcOf,
  readU64,
  smallCrcOf,
  recordBytesFor,
  writeCheckpointSlot,
  writeU64,
  type Checkpoint,
} from './format.js';
import { MAX_KEY_BYTES } from '@pmem-modes/core';

/** Flushes `length` bytes at `offset` of the mapped file to the persistence domain. */
export type Persist = (offset: number, length: number) => void;

/** A live record as the index keeps it: where it is in the ring and how big. */
export interface RecordRef {
  /** Offset in the ring (not in the file). */
  pos: number;
  /** Bytes the record takes in the ring, header and padding included: what counts as used. */
  readonly size: number;
  readonly keyBytes: number;
  readonly docBytes: number;
}

/** What the cleaner tells the index while it frees space. */
export interface CleanerEvents {
  /** The live record of `key` now lives at `pos`. */
  moved(key: string, pos: number): void;
  /** The live record of `key` had to be dropped (no room to move it). */
  dropped(key: string): void;
}

export class RecordLog {
  readonly #buf: Buffer;
  readonly #persist: Persist;
  readonly #ringBytes: number;
  /** Space kept free so that the cleaner can always move one record (and pad to the ring's end). */
  readonly #reserve: number;
  /** How far the cleaner runs past the immediate need, so checkpoints are rare. */
  readonly #cleanBatch: number;
  #head: number;
  #tail: number;
  #used = 0;
  #nextSeq: number;
  #checkpoint: Checkpoint;
  #slot: 0 | 1;

  constructor(buf: Buffer, persist: Persist, layout: { ringBytes: number; maxRecordBytes: number; cleanBatch: number; checkpoint: Checkpoint; slot: 0 | 1 }) {
    this.#buf = buf;
    this.#persist = persist;
    this.#ringBytes = layout.ringBytes;
    this.#reserve = 2 * layout.maxRecordBytes;
    this.#cleanBatch = layout.cleanBatch;
    this.#checkpoint = layout.checkpoint;
    this.#slot = layout.slot;
    this.#head = layout.checkpoint.head;
    this.#tail = this.#head;
    this.#nextSeq = layout.checkpoint.floorSeq + 1;
  }

  /** Ring bytes between head and tail (live, dead and padding). */
  get usedBytes(): number {
    return this.#used;
  }

  get ringBytes(): number {
    return this.#ringBytes;
  }

  /**
   * Walks the chain from the head, calls `onLive` for its live document records, oldest first,
   * and sets the tail after the last valid record.
   *
   * Only the last record's payload checksum is checked: appends are strictly sequential and each
   * is flushed before the next begins, so a crash can tear only the newest record. If it is
   * torn it is cut off (the tail moves back over it). Every header is checked, since the walk
   * follows their sizes.
   */
  scan(onLive: (key: string, ref: RecordRef) => void): void {
    let pos = this.#head;
    let prevSeq = this.#checkpoint.floorSeq;
    let used = 0;
    // The newest live record seen so far, held back until it is known not to be the last one.
    let heldAt = -1;
    let heldSize = 0;
    for (;;) {
      let at = pos;
      let skipped = 0;
      if (this.#ringBytes - pos < RECORD_HEADER_BYTES) {
        skipped = this.#ringBytes - pos; // too short for a header: the chain goes on at 0
        at = 0;
      }
      const size = this.#validHeaderAt(at, prevSeq);
      if (size === 0 || used + skipped + size > this.#ringBytes) break;
      if (heldAt >= 0) this.#emit(heldAt, heldSize, onLive); // not the newest record: whole
      const abs = FILE_HEADER_BYTES + at;
      prevSeq = readU64(this.#buf, abs + R_SEQ);
      used += skipped + size;
      const isPad = this.#buf[abs + R_KIND] === KIND_PAD;
      heldAt = !isPad && this.#buf[abs + R_STATE] === STATE_LIVE ? at : -1;
      heldSize = size;
      pos = isPad || at + size === this.#ringBytes ? 0 : at + size;
    }
    if (heldAt >= 0) {
      if (this.#payloadIsWhole(heldAt)) {
        this.#emit(heldAt, heldSize, onLive);
      } else {
        used -= heldSize;
        pos = heldAt;
      }
    }
    this.#used = used;
    this.#tail = pos;
    this.#nextSeq = prevSeq + 1;
  }

  #emit(pos: number, size: number, onLive: (key: string, ref: RecordRef) => void): void {
    const abs = FILE_HEADER_BYTES + pos;
    const keyBytes = this.#buf.readUInt32LE(abs + R_KEY_BYTES);
    const docBytes = this.#buf.readUInt32LE(abs + R_DOC_BYTES);
    const key = this.#buf.toString('utf8', abs + RECORD_HEADER_BYTES, abs + RECORD_HEADER_BYTES + keyBytes);
    onLive(key, { pos, size, keyBytes, docBytes });
  }

  #payloadIsWhole(pos: number): boolean {
    const abs = FILE_HEADER_BYTES + pos;
    const start = abs + RECORD_HEADER_BYTES;
    const end = start + this.#buf.readUInt32LE(abs + R_KEY_BYTES) + this.#buf.readUInt32LE(abs + R_DOC_BYTES);
    return crcOf(this.#buf, start, end) === this.#buf.readUInt32LE(abs + R_PAYLOAD_CRC);
  }

  /** The JSON text of a record: the one copy out of persistent memory. */
  readDoc(ref: RecordRef): string {
    const start = FILE_HEADER_BYTES + ref.pos + RECORD_HEADER_BYTES + ref.keyBytes;
    return this.#buf.toString('utf8', start, start + ref.docBytes);
  }

  /**
   * Appends a document record and flushes it; returns its ring offset. The caller made room
   * first with `makeRoom(recordBytesFor(keyBytes, docBytes))`.
   */
  append(key: string, keyBytes: number, json: string, docBytes: number): number {
    const size = recordBytesFor(keyBytes, docBytes);
    const pos = this.#claim(size);
    const abs = FILE_HEADER_BYTES + pos;
    const payload = abs + RECORD_HEADER_BYTES;
    this.#buf.write(key, payload, keyBytes, 'utf8');
    this.#buf.write(json, payload + keyBytes, docBytes, 'utf8');
    this.#writeHeader(abs, KIND_DOC, size, keyBytes, docBytes, crcOf(this.#buf, payload, payload + keyBytes + docBytes));
    this.#persist(abs, RECORD_HEADER_BYTES + keyBytes + docBytes);
    return pos;
  }

  /** Marks the record at `pos` dead (delete, eviction, or superseded by a newer record). */
  markDead(pos: number): void {
    this.#markDeadAt(pos);
  }

  /**
   * Frees ring space for a record of `size` bytes: passes dead records at the head and moves
   * live ones to the tail (dropping one only if it cannot be moved), then checkpoints the head.
   */
  makeRoom(size: number, events: CleanerEvents): void {
    if (this.#free() >= this.#needFor(size) + this.#reserve) return;
    const target = Math.min(this.#needFor(size) + this.#reserve + this.#cleanBatch, this.#ringBytes);
    let floorSeq = this.#checkpoint.floorSeq;
    let passed = 0;
    while (this.#free() < target && this.#used > 0) {
      if (this.#ringBytes - this.#head < RECORD_HEADER_BYTES) {
        this.#advanceHead(this.#ringBytes - this.#head);
        continue;
      }
      const abs = FILE_HEADER_BYTES + this.#head;
      const recordSize = this.#buf.readUInt32LE(abs + R_BYTES);
      floorSeq = readU64(this.#buf, abs + R_SEQ);
      if (this.#buf[abs + R_KIND] === KIND_DOC && this.#buf[abs + R_STATE] === STATE_LIVE) {
        const keyBytes = this.#buf.readUInt32LE(abs + R_KEY_BYTES);
        const key = this.#buf.toString('utf8', abs + RECORD_HEADER_BYTES, abs + RECORD_HEADER_BYTES + keyBytes);
        // Moving costs as much space as it frees; passing more than a lap means no progress.
        if (this.#free() >= this.#needFor(recordSize) && passed < 2 * this.#ringBytes) {
          events.moved(key, this.#moveToTail(this.#head, recordSize));
        } else {
          this.#markDeadAt(this.#head);
          events.dropped(key);
        }
      }
      passed += recordSize;
      this.#advanceHead(recordSize);
    }
    this.#writeCheckpoint(this.#head, floorSeq);
  }

  /** Forgets every record at once: the head jumps to the tail, everything older is below the floor. */
  clear(): void {
    this.#writeCheckpoint(this.#tail, this.#nextSeq - 1);
    this.#head = this.#tail;
    this.#used = 0;
  }

  #free(): number {
    return this.#ringBytes - this.#used;
  }

  /** Ring bytes an append of `size` consumes: the record, plus padding if it must wrap. */
  #needFor(size: number): number {
    const toEnd = this.#ringBytes - this.#tail;
    return toEnd < size ? toEnd + size : size;
  }

  /** Reserves `size` bytes at the tail, writing a pad record first when the ring must wrap. */
  #claim(size: number): number {
    const toEnd = this.#ringBytes - this.#tail;
    if (toEnd < size) {
      if (toEnd >= RECORD_HEADER_BYTES) {
        const abs = FILE_HEADER_BYTES + this.#tail;
        this.#writeHeader(abs, KIND_PAD, toEnd, 0, 0, 0);
        this.#persist(abs, RECORD_HEADER_BYTES); // the chain must lead to offset 0 before anything lives there
      }
      this.#used += toEnd;
      this.#tail = 0;
    }
    const pos = this.#tail;
    this.#used += size;
    this.#tail = pos + size === this.#ringBytes ? 0 : pos + size;
    return pos;
  }

  #moveToTail(from: number, size: number): number {
    const src = FILE_HEADER_BYTES + from;
    const payloadBytes = this.#buf.readUInt32LE(src + R_KEY_BYTES) + this.#buf.readUInt32LE(src + R_DOC_BYTES);
    const pos = this.#claim(size);
    const abs = FILE_HEADER_BYTES + pos;
    this.#buf.copy(this.#buf, abs + RECORD_HEADER_BYTES, src + RECORD_HEADER_BYTES, src + RECORD_HEADER_BYTES + payloadBytes);
    this.#writeHeader(
      abs,
      KIND_DOC,
      size,
      this.#buf.readUInt32LE(src + R_KEY_BYTES),
      this.#buf.readUInt32LE(src + R_DOC_BYTES),
      this.#buf.readUInt32LE(src + R_PAYLOAD_CRC),
    );
    this.#persist(abs, RECORD_HEADER_BYTES + payloadBytes);
    return pos;
  }

  #advanceHead(bytes: number): void {
    this.#used -= bytes;
    this.#head = this.#head + bytes >= this.#ringBytes ? 0 : this.#head + bytes;
  }

  #writeHeader(abs: number, kind: number, size: number, keyBytes: number, docBytes: number, payloadCrc: number): void {
    const buf = this.#buf;
    buf[abs + R_TAG] = RECORD_TAG;
    buf[abs + R_KIND] = kind;
    buf[abs + R_STATE] = STATE_LIVE;
    buf[abs + 3] = 0;
    buf.writeUInt32LE(size, abs + R_BYTES);
    writeU64(buf, abs + R_SEQ, this.#nextSeq++);
    buf.writeUInt32LE(keyBytes, abs + R_KEY_BYTES);
    buf.writeUInt32LE(docBytes, abs + R_DOC_BYTES);
    buf.writeUInt32LE(payloadCrc >>> 0, abs + R_PAYLOAD_CRC);
    buf.writeUInt32LE(smallCrcOf(buf, abs + R_BYTES, abs + R_HEADER_CRC), abs + R_HEADER_CRC);
  }

  /**
   * The size of the record at ring offset `pos` if its header is whole and belongs to the chain
   * (sequence above `prevSeq`), else 0.
   */
  #validHeaderAt(pos: number, prevSeq: number): number {
    const buf = this.#buf;
    const abs = FILE_HEADER_BYTES + pos;
    if (buf[abs + R_TAG] !== RECORD_TAG) return 0;
    if (smallCrcOf(buf, abs + R_BYTES, abs + R_HEADER_CRC) !== buf.readUInt32LE(abs + R_HEADER_CRC)) return 0;
    if (readU64(buf, abs + R_SEQ) <= prevSeq) return 0; // an older lap's leftover: the chain ends here
    const size = buf.readUInt32LE(abs + R_BYTES);
    const kind = buf[abs + R_KIND];
    if (kind === KIND_PAD) return size === this.#ringBytes - pos ? size : 0;
    if (kind !== KIND_DOC) return 0;
    const keyBytes = buf.readUInt32LE(abs + R_KEY_BYTES);
    const docBytes = buf.readUInt32LE(abs + R_DOC_BYTES);
    if (keyBytes < 1 || keyBytes > MAX_KEY_BYTES || docBytes < 1) return 0;
    if (size !== recordBytesFor(keyBytes, docBytes) || pos + size > this.#ringBytes) return 0;
    return size;
  }

  #markDeadAt(pos: number): void {
    const at = FILE_HEADER_BYTES + pos + R_STATE;
    this.#buf[at] = STATE_DEAD;
    this.#persist(at, 1);
  }

  #writeCheckpoint(head: number, floorSeq: number): void {
    const slot = this.#slot === 0 ? 1 : 0;
    const checkpoint = { generation: (this.#checkpoint.generation + 1) >>> 0, head, floorSeq };
    writeCheckpointSlot(this.#buf, slot, checkpoint);
    this.#persist(CHECKPOINT_SLOTS[slot], SLOT_BYTES);
    this.#checkpoint = checkpoint;
    this.#slot = slot;
  }
}
