#include "errors.h"

#include <libpmemobj.h>

#include <cstring>

namespace app_direct {

namespace {

const char *CodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kCapacity: return "ERR_CAPACITY";
    case ErrorCode::kPoolCorrupt: return "ERR_POOL_CORRUPT";
    case ErrorCode::kPoolForeign: return "ERR_POOL_FOREIGN";
    case ErrorCode::kPoolLocked: return "ERR_POOL_LOCKED";
    case ErrorCode::kInvalidDoc: return "ERR_INVALID_DOC";
    case ErrorCode::kInvalidOption: return "ERR_INVALID_OPTION";
    case ErrorCode::kDirUnusable: return "ERR_DIR_UNUSABLE";
    case ErrorCode::kClosed: return "ERR_CLOSED";
  }
  return "ERR_POOL_CORRUPT";
}

struct AddonData {
  Napi::FunctionReference cache_error;
};

}  // namespace

void SetCacheErrorClass(Napi::Env env, Napi::Function constructor) {
  auto *data = env.GetInstanceData<AddonData>();
  if (data == nullptr) {
    data = new AddonData();
    env.SetInstanceData(data);  // freed by node-addon-api when the environment goes away
  }
  data->cache_error = Napi::Persistent(constructor);
}

Napi::Error MakeCacheError(Napi::Env env, ErrorCode code, const std::string &message) {
  auto *data = env.GetInstanceData<AddonData>();
  if (data == nullptr || data->cache_error.IsEmpty()) {
    Napi::Error plain = Napi::Error::New(env, message);
    plain.Set("code", Napi::String::New(env, CodeName(code)));
    return plain;
  }
  Napi::Object error = data->cache_error.New({Napi::String::New(env, CodeName(code)), Napi::String::New(env, message)});
  return Napi::Error(env, error);
}

std::string DescribePmdkFailure(const std::string &what, int err) {
  std::string text = what;
  if (err > 0) {
    text += " (";
    text += std::strerror(err);
    text += ")";
  }
  const char *pmdk = pmemobj_errormsg();
  if (pmdk != nullptr && pmdk[0] != '\0') {
    text += ": ";
    text += pmdk;
  }
  return text;
}

}  // namespace app_direct
