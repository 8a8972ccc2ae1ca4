#include "entry_table.h"

#include <cstring>
#include <random>

namespace volatile_heap {

namespace {
constexpr size_t kInitialBuckets = 1024;
}

Status EntryTable::init() {
  // A per-table seed, so that keys chosen to collide in one process do not collide in another.
  std::random_device random;
  seed_ = (uint64_t(random()) << 32) ^ random();
  buckets_ = static_cast<Entry**>(memkind_calloc(kind_, kInitialBuckets, sizeof(Entry*)));
  if (buckets_ == nullptr) return kIndexAlloc;
  bucketCount_ = kInitialBuckets;
  growAt_ = kInitialBuckets;
  return kOk;
}

uint64_t EntryTable::hashKey(const char* key, uint32_t keyLen) const {
  // Eight bytes per step with a multiply-xorshift mix: keys are short, this is the hot path.
  uint64_t h = seed_ ^ (uint64_t(keyLen) * 0x9E3779B97F4A7C15ull);
  uint32_t i = 0;
  for (; i + 8 <= keyLen; i += 8) {
    uint64_t word;
    std::memcpy(&word, key + i, 8);
    h = (h ^ word) * 0xFF51AFD7ED558CCDull;
    h ^= h >> 32;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, key + i, keyLen - i);
  h = (h ^ tail) * 0xC4CEB9FE1A85EC53ull;
  return h ^ (h >> 29);
}

Entry* EntryTable::find(const char* key, uint32_t keyLen, uint64_t hash) const {
  for (Entry* e = buckets_[hash & (bucketCount_ - 1)]; e != nullptr; e = e->chainNext) {
    if (e->hash == hash && e->keyLen == keyLen && std::memcmp(e->key(), key, keyLen) == 0) return e;
  }
  return nullptr;
}

Entry* EntryTable::peek(const char* key, uint32_t keyLen) const { return find(key, keyLen, hashKey(key, keyLen)); }

Entry* EntryTable::touch(const char* key, uint32_t keyLen) {
  Entry* e = peek(key, keyLen);
  if (e != nullptr && e != lruTail_) {
    unlinkLru(e);
    linkMostRecent(e);
  }
  return e;
}

Entry* EntryTable::reserve(const char* key, uint32_t keyLen, uint32_t docLen, Status* status) {
  const size_t size = size_t(keyLen) + docLen;
  if (size > capacityBytes_) {
    *status = kTooLarge;  // checked before any eviction: a refused set changes nothing
    return nullptr;
  }
  const uint64_t hash = hashKey(key, keyLen);
  Entry* existing = find(key, keyLen, hash);
  const size_t replaced = existing != nullptr ? existing->logicalSize() : 0;
  // The logical bound: keys + documents under capacityBytes, like every other adapter.
  while (bytesUsed_ - replaced + size > capacityBytes_ && evictOne(existing)) {
  }
  // The physical bound: memkind's out-of-memory is expected once the kind is full; make room.
  void* memory;
  while ((memory = memkind_malloc(kind_, sizeof(Entry) + size + 1)) == nullptr) {
    if (evictOne(existing)) continue;
    if (existing != nullptr) {
      // Only the key's old version is left and the heap cannot hold both: the old one goes first.
      removeEntry(existing);
      existing = nullptr;
      continue;
    }
    *status = kHeapFull;
    return nullptr;
  }
  Entry* e = static_cast<Entry*>(memory);
  e->chainNext = e->lruPrev = e->lruNext = nullptr;
  e->hash = hash;
  e->keyLen = keyLen;
  e->docLen = docLen;
  std::memcpy(e->key(), key, keyLen);
  e->doc()[docLen] = '\0';
  *status = kOk;
  return e;
}

void EntryTable::commit(Entry* entry) {
  Entry* old = find(entry->key(), entry->keyLen, entry->hash);
  if (old != nullptr) removeEntry(old);
  Entry** bucket = &buckets_[entry->hash & (bucketCount_ - 1)];
  entry->chainNext = *bucket;
  *bucket = entry;
  linkMostRecent(entry);
  count_++;
  bytesUsed_ += entry->logicalSize();
  if (count_ > growAt_) growBuckets();
}

void EntryTable::discard(Entry* entry) { memkind_free(kind_, entry); }

bool EntryTable::remove(const char* key, uint32_t keyLen) {
  Entry* e = peek(key, keyLen);
  if (e == nullptr) return false;
  removeEntry(e);
  return true;
}

void EntryTable::clear() {
  for (Entry* e = lruHead_; e != nullptr;) {
    Entry* next = e->lruNext;
    memkind_free(kind_, e);
    e = next;
  }
  lruHead_ = lruTail_ = nullptr;
  if (buckets_ != nullptr) std::memset(buckets_, 0, bucketCount_ * sizeof(Entry*));
  count_ = 0;
  bytesUsed_ = 0;
}

void EntryTable::release() {
  clear();
  memkind_free(kind_, buckets_);
  buckets_ = nullptr;
  bucketCount_ = 0;
}

void EntryTable::removeEntry(Entry* entry) {
  Entry** slot = &buckets_[entry->hash & (bucketCount_ - 1)];
  while (*slot != entry) slot = &(*slot)->chainNext;
  *slot = entry->chainNext;
  unlinkLru(entry);
  count_--;
  bytesUsed_ -= entry->logicalSize();
  memkind_free(kind_, entry);
}

void EntryTable::unlinkLru(Entry* entry) {
  (entry->lruPrev != nullptr ? entry->lruPrev->lruNext : lruHead_) = entry->lruNext;
  (entry->lruNext != nullptr ? entry->lruNext->lruPrev : lruTail_) = entry->lruPrev;
  entry->lruPrev = entry->lruNext = nullptr;
}

void EntryTable::linkMostRecent(Entry* entry) {
  entry->lruPrev = lruTail_;
  entry->lruNext = nullptr;
  (lruTail_ != nullptr ? lruTail_->lruNext : lruHead_) = entry;
  lruTail_ = entry;
}

bool EntryTable::evictOne(const Entry* keep) {
  Entry* victim = lruHead_;
  if (victim == keep && victim != nullptr) victim = victim->lruNext;
  if (victim == nullptr) return false;
  removeEntry(victim);
  evictions_++;
  return true;
}

void EntryTable::growBuckets() {
  const size_t count = bucketCount_ * 2;
  auto* grown = static_cast<Entry**>(memkind_calloc(kind_, count, sizeof(Entry*)));
  if (grown == nullptr) {
    // A full heap: keep the longer chains, and try again only after the table doubles again.
    growAt_ = count_ * 2;
    return;
  }
  for (size_t b = 0; b < bucketCount_; b++) {
    for (Entry* e = buckets_[b]; e != nullptr;) {
      Entry* next = e->chainNext;
      Entry** slot = &grown[e->hash & (count - 1)];
      e->chainNext = *slot;
      *slot = e;
      e = next;
    }
  }
  memkind_free(kind_, buckets_);
  buckets_ = grown;
  bucketCount_ = count;
  growAt_ = count;
}

}  // namespace volatile_heap
