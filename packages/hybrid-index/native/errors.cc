#include "errors.h"

namespace hybrid_index {

namespace {
struct AddonData {
  Napi::FunctionReference cache_error;
};
}  // namespace

void SetErrorClass(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsFunction()) {
    throw Napi::TypeError::New(env, "setErrorClass expects the CacheError class");
  }
  auto* data = env.GetInstanceData<AddonData>();
  if (data == nullptr) {
    data = new AddonData();
    env.SetInstanceData(data);  // deleted by node-addon-api when the environment is torn down
  }
  data->cache_error = Napi::Persistent(info[0].As<Napi::Function>());
}

void ThrowCacheError(Napi::Env env, const char* code, const std::string& message) {
  auto* data = env.GetInstanceData<AddonData>();
  if (data != nullptr && !data->cache_error.IsEmpty()) {
    Napi::Value error = data->cache_error.New({Napi::String::New(env, code), Napi::String::New(env, message)});
    throw Napi::Error(env, error);
  }
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  throw error;
}

}  // namespace hybrid_index
