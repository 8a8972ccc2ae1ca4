// The on-media format of an app-direct pool. Everything here lives in persistent memory and is
// reached through offsets from the pool's base, never through stored pointers, so the pool works
// wherever it is mapped. See docs/app-direct.md for the diagram.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hash.h"

namespace app_direct {

// Bumped whenever a structure below changes; a pool of another version is ERR_POOL_FOREIGN.
constexpr uint32_t kFormatVersion = 1;
// The layout name PMDK stores in the pool header; pmemobj_open refuses a pool with another one.
// It carries the format version, so that the TypeScript layer can tell another version from the
// header alone, before anything opens (and so writes to) the file.
constexpr const char *kLayoutName = "pmem-modes/app-direct/v1";
// First bytes of the root object: tells our root from another program's with the same layout.
constexpr char kRootMagic[16] = {'p', 'm', 'e', 'm', '-', 'm', 'o', 'd', 'e', 's', ' ', 'c', 'a', 'c', 'h', 'e'};

// Type numbers of the objects in the pool (pmemobj_type_num): checked before a link is followed.
enum TypeNumber : uint64_t {
  kTypeBuckets = 0x6164'0001,  // the bucket array: bucket_count offsets of chain heads
  kTypeEntry = 0x6164'0002,    // one document: header, key bytes, document bytes, NUL
};

// The root object. The first block is written once, when the pool is created, and sealed by
// `seal`; the counters change only inside transactions.
struct Root {
  char magic[16];
  uint32_t format_version;
  uint32_t reserved;
  uint64_t buckets_offset;  // offset of the kTypeBuckets object
  uint64_t bucket_count;    // a power of two
  uint64_t seal;            // checksum of the fields above
  uint64_t count;           // documents in the index
  uint64_t bytes_used;      // sum of key_len + doc_len: what counts against capacityBytes
};

// Marks the start of every entry. Checked before PMDK is asked about an offset: PMDK's own
// lookups (pmemobj_type_num, pmemobj_alloc_usable_size) trust the offset and can read outside
// the pool when it is garbage.
constexpr uint16_t kEntryTag = 0xad01;

// One document. `next` chains entries of the same bucket (0 ends the chain).
struct Entry {
  uint64_t next;
  uint64_t key_hash;
  uint32_t key_len;
  uint32_t doc_len;
  uint32_t checksum;    // of key_hash, the lengths, the key and the document bytes
  uint16_t tag;         // kEntryTag
  uint8_t referenced;   // CLOCK bit: set by a plain store on a read, outside any transaction
  uint8_t reserved;
  char bytes[];         // key_len key bytes, doc_len document bytes, then a NUL
};
static_assert(sizeof(Entry) == 32, "Entry header is part of the on-media format");
static_assert(sizeof(Root) == 64, "Root is part of the on-media format");

// The seal of a root: a checksum of the fields written once at creation.
inline uint64_t SealOf(const Root &root) {
  return HashBytes(&root, offsetof(Root, seal), 0x5ea1ULL);
}

// Bytes of pmem an entry needs for a key and a document of these UTF-8 lengths.
constexpr size_t EntryBytes(size_t key_len, size_t doc_len) { return sizeof(Entry) + key_len + doc_len + 1; }

}  // namespace app_direct
