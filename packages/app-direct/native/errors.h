// The one way native code reports a failure to JavaScript: a CacheError (the class core defines,
// handed to the addon by `init`) with a stable code and a message that says what to do.
#pragma once

#include <napi.h>

#include <string>

namespace app_direct {

enum class ErrorCode {
  kCapacity,
  kPoolCorrupt,
  kPoolForeign,
  kPoolLocked,
  kInvalidDoc,
  kInvalidOption,
  kDirUnusable,
  kClosed,
};

// Remembers the CacheError constructor for this Node environment.
void SetCacheErrorClass(Napi::Env env, Napi::Function constructor);

// A CacheError ready to throw; a plain Error if `init` was never called.
Napi::Error MakeCacheError(Napi::Env env, ErrorCode code, const std::string &message);

// `what` plus the errno text and PMDK's last message, for failures of PMDK calls.
// errno may be -1 or 0 after a PMDK failure, so it is never handed to strerror blindly.
std::string DescribePmdkFailure(const std::string &what, int err);

}  // namespace app_direct
