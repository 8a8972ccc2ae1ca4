/**
 * Seeded, reproducible YCSB-style workloads on the document cache. Every operation stream is
 * generated before it is timed, from (seed, workload, repetition) only, so every adapter receives
 * the same keys and the same documents in the same order.
 */
import type { Doc } from '@pmem-modes/core';

/** YCSB core workloads: A update-heavy, B read-mostly, C read-only, D read-latest, F read-modify-write. */
export type WorkloadId = 'A' | 'B' | 'C' | 'D' | 'F';
export const WORKLOADS: readonly WorkloadId[] = ['A', 'B', 'C', 'D', 'F'];
export type KeyDistribution = 'zipfian' | 'uniform';
/** `fixed`: every document `docBytes` long; `mixed`: a long-tailed mix from ~200 B to 256 KiB. */
export type DocProfile = 'fixed' | 'mixed';

export const WORKLOAD_MIX: Readonly<Record<WorkloadId, string>> = {
  A: '50% read, 50% update',
  B: '95% read, 5% update',
  C: '100% read',
  D: '95% read latest, 5% insert',
  F: '50% read, 50% read-modify-write',
};

export const OpKind = { Read: 0, Update: 1, Insert: 2, ReadModifyWrite: 3 } as const;
export type OpKind = (typeof OpKind)[keyof typeof OpKind];

/** One stream of operations: parallel arrays, so that iterating them allocates nothing. */
export interface OpStream {
  readonly kinds: Uint8Array;
  readonly keys: Uint32Array;
  /** The document written by operation i (undefined for reads). */
  readonly docs: Array<Doc | undefined>;
}

/** mulberry32: a small, fast, seedable PRNG; good enough to pick keys and sizes. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for one (base seed, label) pair, so streams are independent yet reproducible. */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * YCSB's zipfian generator (Gray et al., "Quickly generating billion-record synthetic databases"),
 * constant 0.99, over ranks 0..n-1; rank 0 is the most popular.
 */
export class ZipfianRanks {
  readonly #n: number;
  readonly #theta: number;
  readonly #zetan: number;
  readonly #alpha: number;
  readonly #eta: number;

  constructor(n: number, theta = 0.99) {
    this.#n = n;
    this.#theta = theta;
    let zetan = 0;
    for (let i = 1; i <= n; i++) zetan += 1 / Math.pow(i, theta);
    this.#zetan = zetan;
    const zeta2 = 1 + Math.pow(0.5, theta);
    this.#alpha = 1 / (1 - theta);
    this.#eta = (1 - Math.pow(2 / n, 1 - theta)) / (1 - zeta2 / zetan);
  }

  next(u: number): number {
    const uz = u * this.#zetan;
    if (uz < 1) return 0;
    if (uz < 1 + Math.pow(0.5, this.#theta)) return Math.min(1, this.#n - 1);
    return Math.min(this.#n - 1, Math.floor(this.#n * Math.pow(this.#eta * u - this.#eta + 1, this.#alpha)));
  }
}

/** FNV-1a of a rank: YCSB scrambles zipfian ranks so the hot keys are spread over the key space. */
function scramble(rank: number, n: number): number {
  let h = 0x811c9dc5;
  for (let shift = 0; shift < 32; shift += 8) h = Math.imul(h ^ ((rank >>> shift) & 0xff), 0x01000193);
  return (h >>> 0) % n;
}

/** The key of record i. */
export function keyOf(i: number): string {
  return `user:${i}`;
}

/**
 * The document written for record `record` at `version`: a small JSON object whose body pads it
 * to about `bytes` bytes of JSON.
 */
export function makeDoc(record: number, version: number, bytes: number): Doc {
  const head = { id: record, v: version, tags: ['pmem', 'cache', `r${record % 97}`], body: '' };
  const pad = Math.max(0, bytes - JSON.stringify(head).length);
  head.body = String.fromCharCode(97 + ((record + version) % 26)).repeat(pad);
  return head;
}

/** The JSON size of the next document for this profile. */
export function docSizeSampler(profile: DocProfile, docBytes: number, random: () => number): () => number {
  if (profile === 'fixed') return () => docBytes;
  // Long tail: most documents are small, a few are very large (the shape of real document caches).
  return () => {
    const u = random();
    const r = random();
    if (u < 0.7) return Math.round(200 + r * 824); // 200 B - 1 KiB
    if (u < 0.95) return Math.round(1024 + r * 7 * 1024); // 1 - 8 KiB
    if (u < 0.995) return Math.round(8 * 1024 + r * 56 * 1024); // 8 - 64 KiB
    return Math.round(64 * 1024 + r * 192 * 1024); // 64 - 256 KiB
  };
}

export interface StreamSettings {
  seed: number;
  recordCount: number;
  distribution: KeyDistribution;
  docProfile: DocProfile;
  docBytes: number;
}

/** The documents every target is loaded with before the workloads: records 0..recordCount-1. */
export function loadStream(s: StreamSettings, recordCount = s.recordCount, label = 'load'): OpStream {
  const size = docSizeSampler(s.docProfile, s.docBytes, seededRandom(deriveSeed(s.seed, label)));
  const kinds = new Uint8Array(recordCount).fill(OpKind.Insert);
  const keys = new Uint32Array(recordCount);
  const docs: Doc[] = [];
  for (let i = 0; i < recordCount; i++) {
    keys[i] = i;
    docs.push(makeDoc(i, 0, size()));
  }
  return { kinds, keys, docs };
}

/**
 * `count` operations of `workload`. `inserted` is how many records exist when the stream starts
 * (workload D adds records); the returned `inserted` is the count after it.
 */
export function workloadStream(s: StreamSettings, workload: WorkloadId, label: string, count: number, inserted: number): { stream: OpStream; inserted: number } {
  const random = seededRandom(deriveSeed(s.seed, `${workload}:${label}`));
  const size = docSizeSampler(s.docProfile, s.docBytes, random);
  const zipf = s.distribution === 'zipfian' ? new ZipfianRanks(s.recordCount) : undefined;
  const pickExisting = (): number => (zipf ? scramble(zipf.next(random()), s.recordCount) : Math.floor(random() * s.recordCount));
  // D reads the latest records: rank 0 is the newest insert.
  const latest = workload === 'D' ? new ZipfianRanks(s.recordCount + count) : undefined;
  const kinds = new Uint8Array(count);
  const keys = new Uint32Array(count);
  const docs: Array<Doc | undefined> = new Array(count);
  for (let i = 0; i < count; i++) {
    const u = random();
    let kind: OpKind;
    let key: number;
    switch (workload) {
      case 'A':
        kind = u < 0.5 ? OpKind.Read : OpKind.Update;
        key = pickExisting();
        break;
      case 'B':
        kind = u < 0.95 ? OpKind.Read : OpKind.Update;
        key = pickExisting();
        break;
      case 'C':
        kind = OpKind.Read;
        key = pickExisting();
        break;
      case 'D':
        if (u < 0.95) {
          kind = OpKind.Read;
          key = Math.max(0, inserted - 1 - (latest!.next(random()) % inserted));
        } else {
          kind = OpKind.Insert;
          key = inserted++;
        }
        break;
      case 'F':
        kind = u < 0.5 ? OpKind.Read : OpKind.ReadModifyWrite;
        key = pickExisting();
        break;
    }
    kinds[i] = kind;
    keys[i] = key;
    docs[i] = kind === OpKind.Read ? undefined : makeDoc(key, i + 1, size());
  }
  return { stream: { kinds, keys, docs }, inserted };
}

/** Approximate JSON bytes a stream writes at most (for sizing capacity). */
export function averageDocBytes(s: StreamSettings): number {
  if (s.docProfile === 'fixed') return s.docBytes;
  const size = docSizeSampler('mixed', s.docBytes, seededRandom(1));
  let total = 0;
  for (let i = 0; i < 10_000; i++) total += size();
  return Math.ceil(total / 10_000);
}
