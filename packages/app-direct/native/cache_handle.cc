#include "cache_handle.h"

#include <libpmem.h>

#include <cerrno>
#include <string>

#include "errors.h"
#include "pool_file.h"

namespace app_direct {

namespace {

struct JsDocument {
  napi_env env;
  napi_value json;
};

// Writes the JSON string straight into the pmem allocation: the one copy a set makes.
bool CopyJsonInto(void *context, char *dst, size_t doc_len) {
  auto *doc = static_cast<JsDocument *>(context);
  size_t copied = 0;
  napi_status status = napi_get_value_string_utf8(doc->env, doc->json, dst, doc_len + 1, &copied);
  return status == napi_ok && copied == doc_len;
}

void PushKey(void *context, const char *key, size_t key_len) {
  auto *keys = static_cast<Napi::Array *>(context);
  keys->Set(keys->Length(), Napi::String::New(keys->Env(), key, key_len));
}

ErrorCode CodeForOpenFailure(int err) {
  switch (err) {
    case EAGAIN: return ErrorCode::kPoolLocked;
    case EACCES:
    case EPERM:
    case EROFS: return ErrorCode::kDirUnusable;
    default: return ErrorCode::kPoolCorrupt;
  }
}

// Damage found while working says what to do about it; other failures say it themselves.
Napi::Error AsCacheError(Napi::Env env, const IndexError &e) {
  if (e.code != ErrorCode::kPoolCorrupt) return MakeCacheError(env, e.code, e.message);
  return MakeCacheError(env, e.code, "The app-direct pool is damaged: " + e.message + ". Restore it from a copy or delete it to start an empty cache.");
}

// Runs `work` on the index, turning an IndexError into a thrown CacheError.
template <typename Work>
auto Guarded(Napi::Env env, Work &&work) -> decltype(work()) {
  try {
    return work();
  } catch (const IndexError &e) {
    throw AsCacheError(env, e);
  }
}

}  // namespace

Napi::Function CacheHandle::Define(Napi::Env env) {
  return DefineClass(env, "CacheHandle",
                     {
                         InstanceMethod<&CacheHandle::Get>("get"),
                         InstanceMethod<&CacheHandle::Set>("set"),
                         InstanceMethod<&CacheHandle::Delete>("delete"),
                         InstanceMethod<&CacheHandle::Has>("has"),
                         InstanceMethod<&CacheHandle::Keys>("keys"),
                         InstanceMethod<&CacheHandle::Clear>("clear"),
                         InstanceMethod<&CacheHandle::Stats>("stats"),
                         InstanceMethod<&CacheHandle::Close>("close"),
                     });
}

CacheHandle::CacheHandle(const Napi::CallbackInfo &info) : Napi::ObjectWrap<CacheHandle>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsNumber()) {
    throw MakeCacheError(env, ErrorCode::kInvalidOption, "CacheHandle(path, poolSize, capacityBytes) takes a string and two numbers");
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  double pool_size = info[1].As<Napi::Number>().DoubleValue();
  double capacity = info[2].As<Napi::Number>().DoubleValue();
  if (!(pool_size >= 1 && pool_size <= 9007199254740991.0) || !(capacity >= 1 && capacity <= 9007199254740991.0)) {
    throw MakeCacheError(env, ErrorCode::kInvalidOption, "poolSize and capacityBytes must be positive safe integers");
  }
  int err = 0;
  std::string why;
  pool_ = OpenPool(path, &err, &why);
  if (pool_ == nullptr) {
    ErrorCode code = CodeForOpenFailure(err);
    if (code == ErrorCode::kPoolLocked) {
      why = path + " is open in another process (or another cache in this one). Close it there first; one process owns a pool at a time.";
    } else {
      why = path + " cannot be opened: " + why + ". Restore it from a copy or delete it to start an empty cache.";
    }
    throw MakeCacheError(env, code, why);
  }
  pool_size_ = static_cast<uint64_t>(pool_size);
  try {
    index_ = std::make_unique<CacheIndex>(pool_, pool_size_, static_cast<uint64_t>(capacity));
  } catch (const IndexError &e) {
    Release();
    throw AsCacheError(env, IndexError{e.code, path + ": " + e.message});
  }
  PMEMoid root = pmemobj_root(pool_, sizeof(Root));
  mapping_is_pmem_ = pmem_is_pmem(pmemobj_direct(root), sizeof(Root)) == 1;
}

CacheHandle::~CacheHandle() { Release(); }

void CacheHandle::Release() {
  index_.reset();
  if (pool_ != nullptr) {
    pmemobj_close(pool_);
    pool_ = nullptr;
  }
}

CacheIndex &CacheHandle::Open(Napi::Env env) {
  if (!index_) throw MakeCacheError(env, ErrorCode::kClosed, "This app-direct cache is closed; open a new one with openCache().");
  return *index_;
}

size_t CacheHandle::ReadKey(const Napi::CallbackInfo &info) {
  size_t len = 0;
  if (info.Length() < 1 || napi_get_value_string_utf8(info.Env(), info[0], key_, sizeof(key_), &len) != napi_ok || len > sizeof(key_) - 2) {
    throw MakeCacheError(info.Env(), ErrorCode::kInvalidOption, "a key must be a string of at most 1024 UTF-8 bytes");
  }
  return len;
}

Napi::Value CacheHandle::Get(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CacheIndex &index = Open(env);
  size_t key_len = ReadKey(info);
  const Entry *entry = Guarded(env, [&] { return index.Read(key_, key_len); });
  if (entry == nullptr) return env.Undefined();
  return Napi::String::New(env, entry->bytes + entry->key_len, entry->doc_len);
}

Napi::Value CacheHandle::Set(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CacheIndex &index = Open(env);
  size_t key_len = ReadKey(info);
  if (info.Length() < 3 || !info[1].IsString() || !info[2].IsNumber()) {
    throw MakeCacheError(env, ErrorCode::kInvalidDoc, "set(key, json, byteLength) takes the JSON text and its UTF-8 length");
  }
  double bytes = info[2].As<Napi::Number>().DoubleValue();
  size_t actual = 0;
  // The length sizes the pmem allocation, so it is checked, not trusted.
  if (napi_get_value_string_utf8(env, info[1], nullptr, 0, &actual) != napi_ok || bytes != static_cast<double>(actual) || actual > UINT32_MAX) {
    throw MakeCacheError(env, ErrorCode::kInvalidDoc, "the byteLength given is not the JSON text's UTF-8 length");
  }
  JsDocument doc{env, info[1]};
  uint64_t evicted = Guarded(env, [&] { return index.Write(key_, key_len, actual, CopyJsonInto, &doc); });
  return Napi::Number::New(env, static_cast<double>(evicted));
}

Napi::Value CacheHandle::Delete(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CacheIndex &index = Open(env);
  size_t key_len = ReadKey(info);
  return Napi::Boolean::New(env, Guarded(env, [&] { return index.Remove(key_, key_len); }));
}

Napi::Value CacheHandle::Has(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CacheIndex &index = Open(env);
  size_t key_len = ReadKey(info);
  return Napi::Boolean::New(env, Guarded(env, [&] { return index.Contains(key_, key_len); }));
}

Napi::Value CacheHandle::Keys(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CacheIndex &index = Open(env);
  Napi::Array keys = Napi::Array::New(env);
  Guarded(env, [&] { index.VisitKeys(PushKey, &keys); });
  return keys;
}

Napi::Value CacheHandle::Clear(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CacheIndex &index = Open(env);
  Guarded(env, [&] { index.Clear(); });
  return env.Undefined();
}

Napi::Value CacheHandle::Stats(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CacheIndex &index = Open(env);
  uint64_t allocated = 0;
  if (pmemobj_ctl_get(pool_, "stats.heap.curr_allocated", &allocated) != 0) {
    throw MakeCacheError(env, ErrorCode::kPoolCorrupt, DescribePmdkFailure("reading stats.heap.curr_allocated failed", errno));
  }
  Napi::Object stats = Napi::Object::New(env);
  stats.Set("count", Napi::Number::New(env, static_cast<double>(index.count())));
  stats.Set("bytesUsed", Napi::Number::New(env, static_cast<double>(index.bytes_used())));
  stats.Set("evictions", Napi::Number::New(env, static_cast<double>(index.evictions())));
  stats.Set("poolBytes", Napi::Number::New(env, static_cast<double>(pool_size_)));
  stats.Set("poolAllocatedBytes", Napi::Number::New(env, static_cast<double>(allocated)));
  stats.Set("bucketCount", Napi::Number::New(env, static_cast<double>(index.bucket_count())));
  stats.Set("linksFollowed", Napi::Number::New(env, static_cast<double>(index.links_followed())));
  stats.Set("mappingIsPmem", Napi::Boolean::New(env, mapping_is_pmem_));
  return stats;
}

Napi::Value CacheHandle::Close(const Napi::CallbackInfo &info) {
  Release();
  return info.Env().Undefined();
}

}  // namespace app_direct
