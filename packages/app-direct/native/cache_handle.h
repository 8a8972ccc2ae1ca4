// The JavaScript face of one open pool: a thin ObjectWrap over CacheIndex. Arguments arrive
// already checked by the TypeScript layer; this file only converts them and maps failures to
// CacheError. Hot calls (get, set) allocate nothing beyond the string they return.
#pragma once

#include <libpmemobj.h>
#include <napi.h>

#include <memory>

#include "cache_index.h"

namespace app_direct {

class CacheHandle : public Napi::ObjectWrap<CacheHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  // new CacheHandle(path, poolSize, capacityBytes): opens the pool (ERR_POOL_LOCKED/CORRUPT/...).
  explicit CacheHandle(const Napi::CallbackInfo &info);
  ~CacheHandle() override;

 private:
  Napi::Value Get(const Napi::CallbackInfo &info);
  Napi::Value Set(const Napi::CallbackInfo &info);
  Napi::Value Delete(const Napi::CallbackInfo &info);
  Napi::Value Has(const Napi::CallbackInfo &info);
  Napi::Value Keys(const Napi::CallbackInfo &info);
  Napi::Value Clear(const Napi::CallbackInfo &info);
  Napi::Value Stats(const Napi::CallbackInfo &info);
  Napi::Value Close(const Napi::CallbackInfo &info);

  // Copies the key argument into key_ and returns its UTF-8 length.
  size_t ReadKey(const Napi::CallbackInfo &info);
  CacheIndex &Open(Napi::Env env);
  void Release();

  PMEMobjpool *pool_ = nullptr;
  std::unique_ptr<CacheIndex> index_;
  uint64_t pool_size_ = 0;
  bool mapping_is_pmem_ = false;
  // Keys are at most 1024 UTF-8 bytes (checked in TypeScript); one more byte for the NUL.
  char key_[1024 + 2];
};

}  // namespace app_direct
