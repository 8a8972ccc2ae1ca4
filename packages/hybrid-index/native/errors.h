// Errors thrown by the addon are instances of @pmem-modes/core's CacheError, handed over by
// TypeScript once at load (setErrorClass), so callers see one error class with stable codes.
#pragma once

#include <napi.h>
#include <string>

namespace hybrid_index {

// setErrorClass(CacheError): keeps the class for every later throw.
void SetErrorClass(const Napi::CallbackInfo& info);

// Throws `new CacheError(code, message)` as a C++ exception that node-addon-api turns into a JS
// exception. Falls back to a plain Error with `.code` if the class was never set.
[[noreturn]] void ThrowCacheError(Napi::Env env, const char* code, const std::string& message);

}  // namespace hybrid_index
