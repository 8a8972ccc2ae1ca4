// The cache's whole state inside one memkind kind: a chained hash table of entries and an LRU list
// through them. Every byte (buckets, entries, keys, documents) comes from memkind_malloc, so none
// of it is in the V8 heap or the process's malloc heap. No N-API here: heap_binding.cc adapts it.
#pragma once

#include <memkind.h>

#include <cstddef>
#include <cstdint>

#include "status.h"

namespace volatile_heap {

// One cached document. Laid out as [Entry][key bytes][document bytes][NUL] in one allocation.
struct Entry {
  Entry* chainNext;  // next entry in the same bucket
  Entry* lruPrev;    // towards the least recently used end
  Entry* lruNext;    // towards the most recently used end
  uint64_t hash;
  uint32_t keyLen;
  uint32_t docLen;

  char* key() { return reinterpret_cast<char*>(this + 1); }
  char* doc() { return key() + keyLen; }
  // What counts against capacityBytes: the same measure as every other adapter (key + document).
  size_t logicalSize() const { return size_t(keyLen) + docLen; }
};

struct HeapUsage {
  size_t count;
  size_t bytesUsed;
  size_t evictions;
};

class EntryTable {
 public:
  EntryTable(memkind_t kind, size_t capacityBytes) : kind_(kind), capacityBytes_(capacityBytes) {}
  ~EntryTable() { release(); }
  EntryTable(const EntryTable&) = delete;
  EntryTable& operator=(const EntryTable&) = delete;

  // Allocates the first bucket array; kOk or kIndexAlloc.
  Status init();

  // The entry for key, moved to the most recently used end; nullptr when absent.
  Entry* touch(const char* key, uint32_t keyLen);
  // The entry for key without changing its recency.
  Entry* peek(const char* key, uint32_t keyLen) const;

  // Allocates an unlinked entry for key with room for docLen document bytes, evicting least
  // recently used entries (never the current entry for key) until it fits under capacityBytes
  // and memkind can allocate it. The caller fills doc() and then calls commit() or discard().
  Entry* reserve(const char* key, uint32_t keyLen, uint32_t docLen, Status* status);
  // Links a reserved entry in, replacing the key's previous entry.
  void commit(Entry* entry);
  void discard(Entry* entry);

  bool remove(const char* key, uint32_t keyLen);
  void clear();
  // Frees everything; the table is unusable afterwards (used before the kind is destroyed).
  void release();

  HeapUsage usage() const { return {count_, bytesUsed_, evictions_}; }
  // Least recently used first.
  template <typename Visit>
  void forEach(Visit visit) const {
    for (Entry* e = lruHead_; e != nullptr; e = e->lruNext) visit(e);
  }

 private:
  uint64_t hashKey(const char* key, uint32_t keyLen) const;
  Entry* find(const char* key, uint32_t keyLen, uint64_t hash) const;
  // Unlinks from bucket and LRU list, updates the totals, frees.
  void removeEntry(Entry* entry);
  void unlinkLru(Entry* entry);
  void linkMostRecent(Entry* entry);
  // Evicts the least recently used entry other than keep; false when there is none.
  bool evictOne(const Entry* keep);
  void growBuckets();

  memkind_t kind_;
  size_t capacityBytes_;
  Entry** buckets_ = nullptr;
  size_t bucketCount_ = 0;  // a power of two
  size_t growAt_ = 0;       // entry count that triggers doubling the bucket array
  uint64_t seed_ = 0;
  Entry* lruHead_ = nullptr;
  Entry* lruTail_ = nullptr;
  size_t count_ = 0;
  size_t bytesUsed_ = 0;
  size_t evictions_ = 0;
};

}  // namespace volatile_heap
