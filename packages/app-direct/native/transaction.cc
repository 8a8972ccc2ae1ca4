#include "transaction.h"

#include <cerrno>

namespace app_direct {

Transaction::Transaction(PMEMobjpool *pool) {
  if (pmemobj_tx_begin(pool, nullptr, TX_PARAM_NONE) != 0) {
    error_ = errno > 0 ? errno : EINVAL;
    return;
  }
  pmemobj_tx_set_failure_behavior(POBJ_TX_FAILURE_RETURN);
}

Transaction::~Transaction() {
  if (!finished_) {
    if (error_ == 0) error_ = ECANCELED;
    End();
  }
}

void Transaction::Snapshot(const void *ptr, size_t size) {
  if (error_ != 0) return;
  if (pmemobj_tx_xadd_range_direct(ptr, size, POBJ_XADD_NO_ABORT) != 0) Fail(errno > 0 ? errno : EINVAL);
}

PMEMoid Transaction::Allocate(size_t size, uint64_t type, uint64_t class_flags) {
  if (error_ != 0) return OID_NULL;
  PMEMoid oid = pmemobj_tx_xalloc(size, type, POBJ_XALLOC_NO_ABORT | class_flags);
  if (OID_IS_NULL(oid)) Fail(errno > 0 ? errno : ENOMEM);
  return oid;
}

void Transaction::Free(PMEMoid oid) {
  if (error_ != 0) return;
  if (pmemobj_tx_xfree(oid, POBJ_XFREE_NO_ABORT) != 0) Fail(errno > 0 ? errno : EINVAL);
}

void Transaction::Fail(int err) {
  if (error_ == 0) error_ = err > 0 ? err : EINVAL;
}

int Transaction::Finish() {
  End();
  return error_;
}

void Transaction::End() {
  finished_ = true;
  // The stage tells what is left to do: commit or abort from WORK, then end from any later stage.
  if (pmemobj_tx_stage() == TX_STAGE_WORK) {
    if (error_ == 0) {
      pmemobj_tx_commit();
    } else {
      pmemobj_tx_abort(error_);
    }
  }
  if (pmemobj_tx_stage() != TX_STAGE_NONE) {
    int ended = pmemobj_tx_end();
    if (error_ == 0 && ended != 0) error_ = ended;
  }
}

}  // namespace app_direct
