#include "pool_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "errors.h"
#include "hash.h"
#include "layout.h"
#include "transaction.h"

namespace app_direct {

namespace {

int LastErrno(int fallback) { return errno > 0 ? errno : fallback; }

// Statistics kept in the heap itself (persistent), so that curr_allocated is exact over the
// pool's whole life, not only since this open.
int EnableHeapStatistics(PMEMobjpool *pool) {
  enum pobj_stats_enabled mode = POBJ_STATS_ENABLED_BOTH;
  return pmemobj_ctl_set(pool, "stats.enabled", &mode);
}

}  // namespace

int CreatePool(const std::string &path, uint64_t bucket_count, std::string *why) {
  PMEMobjpool *pool = pmemobj_create(path.c_str(), kLayoutName, 0, 0600);
  if (pool == nullptr) {
    int err = LastErrno(EINVAL);
    *why = DescribePmdkFailure("pmemobj_create failed", err);
    return err;
  }
  int result = 0;
  if (EnableHeapStatistics(pool) != 0) {
    result = LastErrno(EINVAL);
    *why = DescribePmdkFailure("enabling heap statistics failed", result);
  }
  PMEMoid root_oid = pmemobj_root(pool, sizeof(Root));
  if (result == 0 && OID_IS_NULL(root_oid)) {
    result = LastErrno(ENOMEM);
    *why = DescribePmdkFailure("allocating the root object failed", result);
  }
  if (result == 0) {
    auto *root = static_cast<Root *>(pmemobj_direct(root_oid));
    Transaction tx(pool);
    PMEMoid buckets = OID_NULL;
    if (tx.ok()) buckets = pmemobj_tx_xalloc(bucket_count * sizeof(uint64_t), kTypeBuckets, POBJ_XALLOC_ZERO | POBJ_XALLOC_NO_ABORT);
    if (tx.ok() && OID_IS_NULL(buckets)) tx.Fail(LastErrno(ENOMEM));
    tx.Snapshot(root, sizeof(Root));
    if (tx.ok()) {
      std::memcpy(root->magic, kRootMagic, sizeof(kRootMagic));
      root->format_version = kFormatVersion;
      root->reserved = 0;
      root->buckets_offset = buckets.off;
      root->bucket_count = bucket_count;
      root->seal = SealOf(*root);
      root->count = 0;
      root->bytes_used = 0;
    }
    result = tx.Finish();
    if (result != 0) *why = DescribePmdkFailure("initialising the root object failed", result);
  }
  pmemobj_close(pool);
  return result;
}

PMEMobjpool *OpenPool(const std::string &path, int *err, std::string *why) {
  PMEMobjpool *pool = pmemobj_open(path.c_str(), kLayoutName);
  if (pool == nullptr) {
    *err = LastErrno(EINVAL);
    *why = DescribePmdkFailure("pmemobj_open failed", *err);
    return nullptr;
  }
  if (EnableHeapStatistics(pool) != 0) {
    *err = LastErrno(EINVAL);
    *why = DescribePmdkFailure("enabling heap statistics failed", *err);
    pmemobj_close(pool);
    return nullptr;
  }
  return pool;
}

int CheckPool(const std::string &path, int *err, std::string *why) {
  int result = pmemobj_check(path.c_str(), kLayoutName);
  if (result < 0) {
    *err = LastErrno(EINVAL);
    *why = DescribePmdkFailure("pmemobj_check failed", *err);
  } else if (result == 0) {
    *why = DescribePmdkFailure("pmemobj_check found the pool inconsistent", 0);
  }
  return result;
}

int ProbeLocked(const std::string &path, int *err) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *err = LastErrno(EIO);
    return -1;
  }
  int locked = 0;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      locked = 1;
    } else {
      *err = LastErrno(EIO);
      locked = -1;
    }
  } else {
    flock(fd, LOCK_UN);
  }
  close(fd);
  return locked;
}

}  // namespace app_direct
