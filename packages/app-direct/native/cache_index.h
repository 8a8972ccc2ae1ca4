// The persistent hash index: a bucket array of chain heads and chained entries holding key and
// document bytes, with CLOCK eviction. Every change is one transaction; every link is checked
// before it is followed. No JavaScript here: failures are thrown as IndexError.
#pragma once

#include <libpmemobj.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "errors.h"
#include "layout.h"

namespace app_direct {

struct IndexError {
  ErrorCode code;
  std::string message;
};

// Copies a document of `doc_len` UTF-8 bytes plus a NUL into `dst`; false if it could not.
using DocWriter = bool (*)(void *context, char *dst, size_t doc_len);
// Receives each key in turn.
using KeyVisitor = void (*)(void *context, const char *key, size_t key_len);

class CacheIndex {
 public:
  // Checks the root and the bucket array; throws IndexError (ERR_POOL_FOREIGN/CORRUPT).
  CacheIndex(PMEMobjpool *pool, uint64_t pool_size, uint64_t capacity_bytes);

  // The entry of `key` with its checksum verified, marked referenced; nullptr when absent.
  const Entry *Read(const char *key, size_t key_len);
  bool Contains(const char *key, size_t key_len);
  // Stores the document `write` produces, evicting as needed; returns how many it evicted.
  uint64_t Write(const char *key, size_t key_len, size_t doc_len, DocWriter write, void *context);
  bool Remove(const char *key, size_t key_len);
  void Clear();
  void VisitKeys(KeyVisitor visit, void *context);

  uint64_t count() const { return root_->count; }
  uint64_t bytes_used() const { return root_->bytes_used; }
  uint64_t evictions() const { return evictions_; }
  uint64_t links_followed() const { return links_followed_; }
  uint64_t bucket_count() const { return bucket_count_; }

 private:
  // Where `key` is, or would be linked: the link that points at it (or the chain head).
  struct Location {
    uint64_t *link;
    Entry *entry;
    uint64_t offset;
  };

  Location Locate(uint64_t hash, const char *key, size_t key_len);
  Entry *Follow(uint64_t offset);
  // Maps the hash onto [0, bucket_count) with a multiply (the count need not be a power of two).
  uint64_t *BucketOf(uint64_t hash) { return buckets_ + static_cast<uint64_t>((static_cast<unsigned __int128>(hash) * bucket_count_) >> 64); }
  PMEMoid OidOf(uint64_t offset) const { return PMEMoid{pool_uuid_lo_, offset}; }
  // Registers the entry allocation classes with this open pool (they are not persistent).
  void RegisterAllocationClasses();
  // The allocation-class flag for an entry of `bytes`, or 0 (PMDK's own, for whole chunks).
  uint64_t AllocationClassFor(size_t bytes) const;
  bool EvictOne(uint64_t spare_offset);
  void Unlink(const Location &where);
  // False when the pool has no room for the logs of one transaction over every document.
  bool ClearInOneTransaction();
  uint64_t MaxChainLength() const;
  [[noreturn]] void Corrupt(const std::string &what) const;

  PMEMobjpool *pool_;
  uint64_t pool_size_;
  uint64_t capacity_bytes_;
  uint64_t pool_uuid_lo_ = 0;
  Root *root_ = nullptr;
  uint64_t *buckets_ = nullptr;
  uint64_t bucket_count_ = 0;
  struct AllocationClass {
    size_t unit_size;
    unsigned id;  // 0: PMDK's default class for this size
  };
  std::vector<AllocationClass> allocation_classes_;
  uint64_t pool_full_at_ = UINT64_MAX;  // DRAM only: bytes_used when an allocation last failed
  uint64_t clock_hand_ = 0;  // DRAM only: where the CLOCK sweep resumes
  uint64_t evictions_ = 0;
  uint64_t links_followed_ = 0;
};

uint32_t EntryChecksum(const Entry &entry);

}  // namespace app_direct
