// Module entry: the CacheHandle class and the pool-file functions that work without an open pool.
#include <napi.h>

#include <cerrno>
#include <string>

#include "cache_handle.h"
#include "errors.h"
#include "pool_file.h"

namespace app_direct {

namespace {

// init(CacheError): every error the addon throws is an instance of core's class.
Napi::Value Init(const Napi::CallbackInfo &info) {
  if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(info.Env(), "init(CacheError) takes the error class");
  SetCacheErrorClass(info.Env(), info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

std::string PathArgument(const Napi::CallbackInfo &info) {
  if (info.Length() < 1 || !info[0].IsString()) throw MakeCacheError(info.Env(), ErrorCode::kInvalidOption, "the pool path must be a string");
  return info[0].As<Napi::String>().Utf8Value();
}

// createPool(path, bucketCount): formats the existing sparse file as an empty cache pool.
Napi::Value CreatePoolFile(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string path = PathArgument(info);
  if (info.Length() < 2 || !info[1].IsNumber()) throw MakeCacheError(env, ErrorCode::kInvalidOption, "createPool(path, bucketCount)");
  double buckets = info[1].As<Napi::Number>().DoubleValue();
  uint64_t count = static_cast<uint64_t>(buckets);
  if (!(buckets >= 1 && buckets <= 1099511627776.0) || static_cast<double>(count) != buckets || (count & (count - 1)) != 0) {
    throw MakeCacheError(env, ErrorCode::kInvalidOption, "bucketCount must be a power of two");
  }
  std::string why;
  int err = CreatePool(path, count, &why);
  if (err != 0) throw MakeCacheError(env, err == EACCES || err == EPERM || err == EROFS ? ErrorCode::kDirUnusable : ErrorCode::kCapacity, why);
  return env.Undefined();
}

// checkPool(path): 'consistent' | 'inconsistent: why' | 'error: why' (never modifies the file).
Napi::Value CheckPoolFile(const Napi::CallbackInfo &info) {
  int err = 0;
  std::string why;
  int result = CheckPool(PathArgument(info), &err, &why);
  if (result == 1) return Napi::String::New(info.Env(), "consistent");
  return Napi::String::New(info.Env(), (result == 0 ? "inconsistent: " : "error: ") + why);
}

// isLocked(path): true while a process holds the pool open.
Napi::Value IsLocked(const Napi::CallbackInfo &info) {
  int err = 0;
  int locked = ProbeLocked(PathArgument(info), &err);
  if (locked < 0) throw MakeCacheError(info.Env(), ErrorCode::kDirUnusable, DescribePmdkFailure("cannot open the pool file to probe its lock", err));
  return Napi::Boolean::New(info.Env(), locked == 1);
}

}  // namespace

Napi::Object Register(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New<Init>(env, "init"));
  exports.Set("createPool", Napi::Function::New<CreatePoolFile>(env, "createPool"));
  exports.Set("checkPool", Napi::Function::New<CheckPoolFile>(env, "checkPool"));
  exports.Set("isLocked", Napi::Function::New<IsLocked>(env, "isLocked"));
  exports.Set("CacheHandle", CacheHandle::Define(env));
  return exports;
}

}  // namespace app_direct

static Napi::Object RegisterAddon(Napi::Env env, Napi::Object exports) { return app_direct::Register(env, exports); }

NODE_API_MODULE(app_direct, RegisterAddon)
