// Status codes the addon returns to TypeScript, where mapStatus() in src/native.ts turns each one
// into a CacheError. Keep the two lists in step. memkind's own error codes (negative, see
// memkind.h) are passed through unchanged by open(), so ours sit well below them.
#pragma once

namespace volatile_heap {

enum Status : int {
  kOk = 0,
  // key + document exceed capacityBytes: it could never fit, nothing was evicted.
  kTooLarge = -1001,
  // memkind could not allocate even after evicting every other document.
  kHeapFull = -1002,
  // The heap cannot even hold the index's first bucket array (heap far too small).
  kIndexAlloc = -1003,
};

}  // namespace volatile_heap
