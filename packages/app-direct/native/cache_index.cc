#include "cache_index.h"

#include <cerrno>
#include <cstring>

#include "hash.h"
#include "transaction.h"

namespace app_direct {

namespace {

constexpr uint64_t kKeySeed = 0x6b65792d68617368ULL;
constexpr uint64_t kChecksumSeed = 0x646f632d73756dULL;
// Nothing we allocate can start inside the pool header and the lanes before the heap.
constexpr uint64_t kFirstObjectOffset = 4096;
// The pool's header, lanes and heap metadata: an entry larger than the pool minus this can never
// be allocated, so it is refused before anything is evicted for it.
constexpr uint64_t kPoolFixedBytes = 4ULL << 20;
// Entry allocation classes: one unit per block, unit sizes from 64 B in geometric steps up to
// 128 KiB, each class's runs one 256 KiB chunk; larger entries take whole chunks (PMDK's huge
// allocations). Measured on PMDK 1.12 before choosing them:
// - PMDK's default classes give large sizes runs of many chunks, so a pool holding documents of
//   many sizes ran out of chunks with most of its bytes free (ENOMEM with 4% of a 25 MiB pool
//   allocated, documents of 10 B to 40 KB);
// - blocks of several units cannot straddle a 64-unit bitmap word, so coarse units waste up to a
//   fifth (1 KiB entries filled 75% of an 85 MiB pool with 64-byte units, 94% with 12.5% steps);
// - every class in use holds at least one chunk, so a small pool cannot afford many classes
//   (8 MiB, 700 documents of 0-3 KB: allocations failed with 12.5% steps, never with 50%).
// Hence the step depends on the pool: fine where chunks are plentiful, coarse where they are not.
constexpr size_t kChunkBytes = 256 * 1024;
constexpr size_t kLargestClass = 128 * 1024;
constexpr size_t kAllocationHeaderBytes = 16;  // POBJ_HEADER_COMPACT

// The next class size: unit grown by unit >> step_shift (3: 12.5%, 2: 25%, 1: 50%), 64-aligned.
size_t NextClassSize(size_t unit, unsigned step_shift) {
  size_t next = unit + (unit >> step_shift);
  return (next + 63) & ~static_cast<size_t>(63);
}

unsigned ClassStepShiftFor(uint64_t pool_size) {
  if (pool_size >= (256ULL << 20)) return 3;
  if (pool_size >= (64ULL << 20)) return 2;
  return 1;
}

// A transaction that failed for a reason other than a full pool means PMDK found something wrong.
IndexError TransactionFailure(const char *what, int err) {
  if (err == ENOMEM) return IndexError{ErrorCode::kCapacity, DescribePmdkFailure(what, err) + ": the pool has no room even for the transaction's log. Raise poolSize"};
  return IndexError{ErrorCode::kPoolCorrupt, DescribePmdkFailure(what, err)};
}

}  // namespace

uint32_t EntryChecksum(const Entry &entry) {
  uint64_t seed = kChecksumSeed ^ entry.key_hash ^ (static_cast<uint64_t>(entry.key_len) << 32 | entry.doc_len);
  return static_cast<uint32_t>(HashBytes(entry.bytes, static_cast<size_t>(entry.key_len) + entry.doc_len, seed));
}

CacheIndex::CacheIndex(PMEMobjpool *pool, uint64_t pool_size, uint64_t capacity_bytes)
    : pool_(pool), pool_size_(pool_size), capacity_bytes_(capacity_bytes) {
  // pmemobj_root() with a larger size would grow (write) the root: check its size first.
  size_t root_size = pmemobj_root_size(pool);
  if (root_size != sizeof(Root)) {
    throw IndexError{ErrorCode::kPoolCorrupt, "the pool's root object has " + std::to_string(root_size) + " bytes, not " +
                                                   std::to_string(sizeof(Root)) + ": it was not initialised by this adapter"};
  }
  PMEMoid root_oid = pmemobj_root(pool, sizeof(Root));
  if (OID_IS_NULL(root_oid)) throw IndexError{ErrorCode::kPoolCorrupt, DescribePmdkFailure("pmemobj_root failed", errno)};
  pool_uuid_lo_ = root_oid.pool_uuid_lo;
  root_ = static_cast<Root *>(pmemobj_direct(root_oid));
  if (std::memcmp(root_->magic, kRootMagic, sizeof(kRootMagic)) != 0) Corrupt("the root object does not start with the cache's magic bytes");
  if (root_->format_version != kFormatVersion) {
    throw IndexError{ErrorCode::kPoolForeign, "the pool has format version " + std::to_string(root_->format_version) +
                                                  "; this version of @pmem-modes/app-direct reads version " + std::to_string(kFormatVersion)};
  }
  if (root_->seal != SealOf(*root_)) Corrupt("the root object's seal does not match its fields");
  uint64_t count = root_->bucket_count;
  if (count == 0 || count > pool_size_ / sizeof(uint64_t)) Corrupt("the bucket count does not fit the pool");
  uint64_t offset = root_->buckets_offset;
  if (offset < kFirstObjectOffset || offset > pool_size_ - count * sizeof(uint64_t) || offset % alignof(uint64_t) != 0 ||
      pmemobj_type_num(OidOf(offset)) != kTypeBuckets || pmemobj_alloc_usable_size(OidOf(offset)) < count * sizeof(uint64_t)) {
    Corrupt("the bucket array link is not valid");
  }
  if (root_->bytes_used > pool_size_ || root_->count > pool_size_ / sizeof(Entry)) Corrupt("the root's counters exceed the pool");
  buckets_ = reinterpret_cast<uint64_t *>(reinterpret_cast<char *>(pool_) + offset);
  bucket_count_ = count;
  RegisterAllocationClasses();
}

void CacheIndex::RegisterAllocationClasses() {
  unsigned step_shift = ClassStepShiftFor(pool_size_);
  for (size_t unit = 64; unit <= kLargestClass; unit = NextClassSize(unit, step_shift)) {
    pobj_alloc_class_desc desc{};
    desc.unit_size = unit;
    desc.units_per_block = static_cast<unsigned>(kChunkBytes / 2 / unit > 0 ? kChunkBytes / 2 / unit : 1);
    desc.header_type = POBJ_HEADER_COMPACT;
    // PMDK refuses a class identical to one of its defaults: that size is then served by the
    // default, which is just as good.
    unsigned id = pmemobj_ctl_set(pool_, "heap.alloc_class.new.desc", &desc) == 0 ? desc.class_id : 0;
    allocation_classes_.push_back(AllocationClass{unit, id});
  }
}

uint64_t CacheIndex::AllocationClassFor(size_t bytes) const {
  for (const AllocationClass &c : allocation_classes_) {
    if (bytes + kAllocationHeaderBytes <= c.unit_size) return c.id != 0 ? POBJ_CLASS_ID(c.id) : 0;
  }
  return 0;
}


void CacheIndex::Corrupt(const std::string &what) const { throw IndexError{ErrorCode::kPoolCorrupt, what}; }

uint64_t CacheIndex::MaxChainLength() const { return root_->count + 1; }

Entry *CacheIndex::Follow(uint64_t offset) {
  if (offset == 0) return nullptr;
  links_followed_++;
  // Checks that only read inside the mapping come first: range, alignment, our tag, lengths.
  // Only then is PMDK asked about the object (its type number and allocation size).
  if (offset < kFirstObjectOffset || offset > pool_size_ - sizeof(Entry) || offset % alignof(Entry) != 0) {
    Corrupt("an index link points outside the pool (offset " + std::to_string(offset) + ")");
  }
  auto *entry = reinterpret_cast<Entry *>(reinterpret_cast<char *>(pool_) + offset);
  if (entry->tag != kEntryTag) Corrupt("an index link points at something that is not an entry (offset " + std::to_string(offset) + ")");
  if (EntryBytes(entry->key_len, entry->doc_len) > pool_size_ - offset) {
    Corrupt("an entry's lengths run past the end of the pool (offset " + std::to_string(offset) + ")");
  }
  PMEMoid oid = OidOf(offset);
  if (pmemobj_type_num(oid) != kTypeEntry) Corrupt("an index link points at an object that is not an entry (offset " + std::to_string(offset) + ")");
  if (EntryBytes(entry->key_len, entry->doc_len) > pmemobj_alloc_usable_size(oid)) {
    Corrupt("an entry's lengths exceed its allocation (offset " + std::to_string(offset) + ")");
  }
  return entry;
}

CacheIndex::Location CacheIndex::Locate(uint64_t hash, const char *key, size_t key_len) {
  uint64_t *link = BucketOf(hash);
  uint64_t steps = 0;
  uint64_t limit = MaxChainLength();
  while (Entry *entry = Follow(*link)) {
    if (entry->key_hash == hash && entry->key_len == key_len && std::memcmp(entry->bytes, key, key_len) == 0) {
      return Location{link, entry, *link};
    }
    if (++steps > limit) Corrupt("an index chain is longer than the number of documents (a cycle)");
    link = &entry->next;
  }
  return Location{link, nullptr, 0};
}

const Entry *CacheIndex::Read(const char *key, size_t key_len) {
  Location at = Locate(HashBytes(key, key_len, kKeySeed), key, key_len);
  if (at.entry == nullptr) return nullptr;
  if (EntryChecksum(*at.entry) != at.entry->checksum) Corrupt("the document's checksum does not match its bytes");
  // The CLOCK bit is a hint: a plain store, not logged or flushed; losing it costs only accuracy.
  if (at.entry->referenced == 0) at.entry->referenced = 1;
  return at.entry;
}

bool CacheIndex::Contains(const char *key, size_t key_len) {
  return Locate(HashBytes(key, key_len, kKeySeed), key, key_len).entry != nullptr;
}

uint64_t CacheIndex::Write(const char *key, size_t key_len, size_t doc_len, DocWriter write, void *context) {
  uint64_t hash = HashBytes(key, key_len, kKeySeed);
  uint64_t charged = key_len + doc_len;
  if (charged > capacity_bytes_) {
    throw IndexError{ErrorCode::kCapacity, "The document needs " + std::to_string(charged) +
                                               " bytes with its key, more than this cache can free (capacity " + std::to_string(capacity_bytes_) +
                                               " bytes). Raise capacityBytes or store smaller documents."};
  }
  uint64_t reserved = kPoolFixedBytes + bucket_count_ * sizeof(uint64_t);
  if (EntryBytes(key_len, doc_len) > (pool_size_ > reserved ? pool_size_ - reserved : 0)) {
    throw IndexError{ErrorCode::kCapacity, "The document needs " + std::to_string(EntryBytes(key_len, doc_len)) +
                                               " bytes of pool, more than this pool of " + std::to_string(pool_size_) +
                                               " bytes can ever hold. Create the pool with a larger poolSize or store smaller documents."};
  }
  uint64_t evicted = 0;
  for (;;) {
    Location at = Locate(hash, key, key_len);
    uint64_t replaced = at.entry ? at.entry->key_len + at.entry->doc_len : 0;
    // The bound is capacityBytes, or lower once the pool has been found full at some usage:
    // evicting before the allocation is much cheaper than a failing one (which searches the heap).
    uint64_t bound = capacity_bytes_ < pool_full_at_ ? capacity_bytes_ : pool_full_at_;
    if (root_->bytes_used - replaced + charged > bound) {
      // Never the old version of this key: dropping it would not lower the bound for the new one.
      if (EvictOne(at.offset)) {
        evicted++;
        continue;
      }
      if (bound == capacity_bytes_) Corrupt("the byte count exceeds capacity but nothing is left to evict");
    }
    bool copied = true;
    Transaction tx(pool_);
    PMEMoid oid = tx.Allocate(EntryBytes(key_len, doc_len), kTypeEntry, AllocationClassFor(EntryBytes(key_len, doc_len)));
    if (tx.ok()) {
      // A fresh allocation needs no snapshot: if the transaction aborts it is simply freed.
      auto *entry = static_cast<Entry *>(pmemobj_direct(oid));
      entry->key_hash = hash;
      entry->key_len = static_cast<uint32_t>(key_len);
      entry->doc_len = static_cast<uint32_t>(doc_len);
      entry->tag = kEntryTag;
      entry->referenced = 1;
      entry->reserved = 0;
      std::memcpy(entry->bytes, key, key_len);
      copied = write(context, entry->bytes + key_len, doc_len);
      if (!copied) tx.Fail(EINVAL);
      entry->bytes[key_len + doc_len] = '\0';
      entry->checksum = EntryChecksum(*entry);
      entry->next = at.entry ? at.entry->next : *at.link;
      tx.Snapshot(at.link, sizeof(uint64_t));
      if (tx.ok()) *at.link = oid.off;
      if (at.entry) tx.Free(OidOf(at.offset));
      tx.Snapshot(&root_->count, 2 * sizeof(uint64_t));
      if (tx.ok()) {
        root_->count += at.entry ? 0 : 1;
        root_->bytes_used += charged - replaced;
      }
    }
    int err = tx.Finish();
    if (err == 0) return evicted;
    if (!copied) throw IndexError{ErrorCode::kInvalidDoc, "the document's UTF-8 length differs from the byteLength given"};
    if (err != ENOMEM) throw TransactionFailure("a write transaction failed", err);
    // The pool is full (fragmentation, or small documents whose headers outweigh them): the
    // transaction left everything as it was; remember the usage it happened at, make room, retry.
    if (root_->bytes_used < pool_full_at_) pool_full_at_ = root_->bytes_used;
    if (!EvictOne(0)) {
      throw IndexError{ErrorCode::kCapacity, "The pool has no room for a document of " + std::to_string(charged) +
                                                 " bytes even after evicting everything else. Raise poolSize or store smaller documents."};
    }
    evicted++;
  }
}

bool CacheIndex::Remove(const char *key, size_t key_len) {
  Location at = Locate(HashBytes(key, key_len, kKeySeed), key, key_len);
  if (at.entry == nullptr) return false;
  Unlink(at);
  return true;
}

void CacheIndex::Unlink(const Location &where) {
  Transaction tx(pool_);
  tx.Snapshot(where.link, sizeof(uint64_t));
  if (tx.ok()) *where.link = where.entry->next;
  tx.Free(OidOf(where.offset));
  tx.Snapshot(&root_->count, 2 * sizeof(uint64_t));
  if (tx.ok()) {
    root_->count -= 1;
    root_->bytes_used -= where.entry->key_len + where.entry->doc_len;
  }
  int err = tx.Finish();
  if (err != 0) throw TransactionFailure("a delete transaction failed", err);
}

bool CacheIndex::EvictOne(uint64_t spare_offset) {
  if (root_->count == 0 || (root_->count == 1 && spare_offset != 0)) return false;
  // CLOCK over the buckets: a referenced entry loses its bit and survives this pass; the first
  // entry without it is the victim. Two passes over every bucket always find one.
  for (uint64_t visited = 0; visited <= 2 * bucket_count_; visited++) {
    if (clock_hand_ >= bucket_count_) clock_hand_ = 0;
    uint64_t *link = buckets_ + clock_hand_;
    uint64_t steps = 0;
    while (Entry *entry = Follow(*link)) {
      if (*link != spare_offset) {
        if (entry->referenced == 0) {
          Unlink(Location{link, entry, *link});
          evictions_++;
          return true;
        }
        entry->referenced = 0;
      }
      if (++steps > MaxChainLength()) Corrupt("an index chain is longer than the number of documents (a cycle)");
      link = &entry->next;
    }
    clock_hand_++;
  }
  return false;
}

bool CacheIndex::ClearInOneTransaction() {
  Transaction tx(pool_);
  for (uint64_t b = 0; b < bucket_count_ && tx.ok(); b++) {
    uint64_t steps = 0;
    for (Entry *entry = Follow(buckets_[b]); entry != nullptr && tx.ok(); entry = Follow(entry->next)) {
      if (++steps > MaxChainLength()) Corrupt("an index chain is longer than the number of documents (a cycle)");
      tx.Free(OidOf(static_cast<uint64_t>(reinterpret_cast<char *>(entry) - reinterpret_cast<char *>(pool_))));
    }
  }
  tx.Snapshot(buckets_, bucket_count_ * sizeof(uint64_t));
  if (tx.ok()) std::memset(buckets_, 0, bucket_count_ * sizeof(uint64_t));
  tx.Snapshot(&root_->count, 2 * sizeof(uint64_t));
  if (tx.ok()) {
    root_->count = 0;
    root_->bytes_used = 0;
  }
  int err = tx.Finish();
  if (err == ENOMEM) return false;
  if (err != 0) throw TransactionFailure("a clear transaction failed", err);
  return true;
}

void CacheIndex::Clear() {
  // One transaction when its logs fit in the pool. When the pool is too full for the logs of
  // that many frees, one transaction per document (a single free fits in the lane's own log),
  // so a crash in the middle leaves a subset of the documents, each of them whole.
  pool_full_at_ = UINT64_MAX;  // learnt again on the empty pool
  if (ClearInOneTransaction()) return;
  for (uint64_t b = 0; b < bucket_count_; b++) {
    while (Entry *head = Follow(buckets_[b])) Unlink(Location{buckets_ + b, head, buckets_[b]});
  }
}

void CacheIndex::VisitKeys(KeyVisitor visit, void *context) {
  for (uint64_t b = 0; b < bucket_count_; b++) {
    uint64_t steps = 0;
    for (Entry *entry = Follow(buckets_[b]); entry != nullptr; entry = Follow(entry->next)) {
      if (++steps > MaxChainLength()) Corrupt("an index chain is longer than the number of documents (a cycle)");
      visit(context, entry->bytes, entry->key_len);
    }
  }
}

}  // namespace app_direct
