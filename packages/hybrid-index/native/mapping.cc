#include "mapping.h"

#include <libpmem.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "errors.h"

namespace hybrid_index {

namespace {

// Largest Node Buffer on 64-bit builds; TypeScript keeps files well under it.
constexpr size_t kMaxMappedBytes = size_t{1} << 32;

std::string LastPmemError() {
  const char* message = pmem_errormsg();
  return message != nullptr && message[0] != '\0' ? message : "unknown libpmem error";
}

void ReleaseMapping(Napi::Env /*env*/, uint8_t* address, size_t* length) {
  if (pmem_unmap(address, *length) != 0) {
    // A finalizer cannot throw; the address range stays reserved until exit.
    std::fprintf(stderr, "@pmem-modes/hybrid-index: pmem_unmap failed: %s\n", LastPmemError().c_str());
  }
  delete length;
}

// Reads a non-negative integer argument that fits in size_t, else throws.
size_t ArgSize(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (!info[index].IsNumber()) ThrowCacheError(info.Env(), "ERR_INVALID_OPTION", std::string(what) + " must be a number");
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (!(value >= 0) || value > static_cast<double>(kMaxMappedBytes)) {
    ThrowCacheError(info.Env(), "ERR_INVALID_OPTION", std::string(what) + " is out of range");
  }
  return static_cast<size_t>(value);
}

}  // namespace

Napi::Value MapFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsString()) ThrowCacheError(env, "ERR_INVALID_OPTION", "mapFile expects a path");
  std::string path = info[0].As<Napi::String>().Utf8Value();

  size_t length = 0;
  int is_pmem = 0;
  // len 0 and no flags: map the whole existing file (TypeScript creates and sizes it).
  void* address = pmem_map_file(path.c_str(), 0, 0, 0, &length, &is_pmem);
  if (address == nullptr) {
    ThrowCacheError(env, "ERR_DIR_UNUSABLE", "Cannot map " + path + ": " + LastPmemError() + ". Check the file and the directory's permissions.");
  }
  if (length == 0 || length >= kMaxMappedBytes) {
    if (pmem_unmap(address, length) != 0) std::fprintf(stderr, "@pmem-modes/hybrid-index: pmem_unmap failed: %s\n", LastPmemError().c_str());
    ThrowCacheError(env, "ERR_POOL_CORRUPT", "Cannot map " + path + ": its size (" + std::to_string(length) + " bytes) is out of range.");
  }

  auto* owned_length = new size_t(length);
  Napi::Buffer<uint8_t> buffer;
  try {
    buffer = Napi::Buffer<uint8_t>::New(env, static_cast<uint8_t*>(address), length, ReleaseMapping, owned_length);
  } catch (...) {
    ReleaseMapping(env, static_cast<uint8_t*>(address), owned_length);
    throw;
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("buffer", buffer);
  result.Set("isPmem", Napi::Boolean::New(env, is_pmem != 0));
  return result;
}

void Persist(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 4 || !info[0].IsBuffer()) ThrowCacheError(env, "ERR_INVALID_OPTION", "persist expects (buffer, isPmem, offset, length)");
  auto buffer = info[0].As<Napi::Buffer<uint8_t>>();
  bool is_pmem = info[1].ToBoolean().Value();
  size_t offset = ArgSize(info, 2, "offset");
  size_t length = ArgSize(info, 3, "length");
  // A detached buffer has length 0: nothing of a closed mapping can be reached.
  if (offset > buffer.Length() || length > buffer.Length() - offset) {
    ThrowCacheError(env, "ERR_CLOSED", "persist range lies outside the mapping (is the cache closed?)");
  }
  if (length == 0) return;
  uint8_t* start = buffer.Data() + offset;
  if (is_pmem) {
    pmem_persist(start, length);
  } else if (pmem_msync(start, length) != 0) {
    int error = errno;
    ThrowCacheError(env, "ERR_DIR_UNUSABLE", std::string("Cannot write the data file back (msync: ") + std::strerror(error) + "). Check the filesystem.");
  }
}

void Unmap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsBuffer()) ThrowCacheError(env, "ERR_INVALID_OPTION", "unmap expects a buffer");
  Napi::ArrayBuffer backing = info[0].As<Napi::Buffer<uint8_t>>().ArrayBuffer();
  if (!backing.IsDetached()) backing.Detach();
}

}  // namespace hybrid_index
