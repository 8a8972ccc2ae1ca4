// Entry point of the hybrid-index addon: a thin libpmem binding (see mapping.h).
#include <napi.h>

#include "errors.h"
#include "mapping.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("setErrorClass", Napi::Function::New(env, hybrid_index::SetErrorClass, "setErrorClass"));
  exports.Set("mapFile", Napi::Function::New(env, hybrid_index::MapFile, "mapFile"));
  exports.Set("persist", Napi::Function::New(env, hybrid_index::Persist, "persist"));
  exports.Set("unmap", Napi::Function::New(env, hybrid_index::Unmap, "unmap"));
  return exports;
}

}  // namespace

NODE_API_MODULE(hybrid_index, Init)
