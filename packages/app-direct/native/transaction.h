// One libpmemobj transaction through the non-macro API (the TX_BEGIN macros use setjmp/longjmp,
// which would skip C++ destructors). Failures return instead of aborting the process:
// pmemobj_tx_set_failure_behavior(POBJ_TX_FAILURE_RETURN) plus the *_NO_ABORT flags, and the
// first error is kept. A Transaction that is not committed is aborted when it goes out of scope,
// which rolls every change in it back.
#pragma once

#include <libpmemobj.h>

#include <cstddef>
#include <cstdint>

namespace app_direct {

class Transaction {
 public:
  explicit Transaction(PMEMobjpool *pool);
  ~Transaction();
  Transaction(const Transaction &) = delete;
  Transaction &operator=(const Transaction &) = delete;

  // 0 while every step succeeded, else the errno of the first failure.
  int error() const { return error_; }
  bool ok() const { return error_ == 0; }

  // Snapshots [ptr, ptr + size) so that an abort restores it. No-op after a failure.
  void Snapshot(const void *ptr, size_t size);
  // A new object of `size` bytes and `type`, from the allocation class `class_flags` names
  // (POBJ_CLASS_ID(id), or 0 for PMDK's choice); OID_NULL after a failure (ENOMEM: pool full).
  PMEMoid Allocate(size_t size, uint64_t type, uint64_t class_flags = 0);
  // Frees `oid` when the transaction commits.
  void Free(PMEMoid oid);
  // Records a failure found by the caller (e.g. a bad copy), so that the transaction aborts.
  void Fail(int err);

  // Commits when every step succeeded, else aborts; returns 0 or the errno of the failure.
  int Finish();

 private:
  void End();
  int error_ = 0;
  bool finished_ = false;
};

}  // namespace app_direct
