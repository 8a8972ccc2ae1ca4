// The N-API face of one volatile heap: a memkind PMEM kind plus the EntryTable living in it.
// Option checking and error wording are in TypeScript (src/native.ts); this file returns statuses
// (status.h, or memkind's own negative codes) and throws only on calls TypeScript never makes.
#include <napi.h>

#include <memory>

#include "entry_table.h"

namespace volatile_heap {

namespace {

// The UTF-8 bytes of a key, on the stack: a hot call allocates nothing for its key.
class KeyBytes {
 public:
  KeyBytes(Napi::Env env, const Napi::Value& value) {
    if (!value.IsString()) throw Napi::TypeError::New(env, "key must be a string");
    size_t len = 0;
    napi_status st = napi_get_value_string_utf8(env, value, bytes_, sizeof(bytes_), &len);
    if (st != napi_ok) throw Napi::Error::New(env, "cannot read the key");
    if (len > kMaxKeyBytes) throw Napi::RangeError::New(env, "key longer than 1024 UTF-8 bytes");
    len_ = static_cast<uint32_t>(len);
  }
  const char* data() const { return bytes_; }
  uint32_t size() const { return len_; }

 private:
  static constexpr size_t kMaxKeyBytes = 1024;
  // Room for one more character than allowed, so that an over-long key shows as one.
  char bytes_[kMaxKeyBytes + 4 + 1];
  uint32_t len_ = 0;
};

}  // namespace

class VolatileHeap : public Napi::ObjectWrap<VolatileHeap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "VolatileHeap",
                       {InstanceMethod<&VolatileHeap::Open>("open"), InstanceMethod<&VolatileHeap::Get>("get"),
                        InstanceMethod<&VolatileHeap::Set>("set"), InstanceMethod<&VolatileHeap::Has>("has"),
                        InstanceMethod<&VolatileHeap::Delete>("delete"), InstanceMethod<&VolatileHeap::Keys>("keys"),
                        InstanceMethod<&VolatileHeap::Clear>("clear"), InstanceMethod<&VolatileHeap::Usage>("usage"),
                        InstanceMethod<&VolatileHeap::HeapStats>("heapStats"),
                        InstanceMethod<&VolatileHeap::Close>("close")});
  }

  explicit VolatileHeap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<VolatileHeap>(info) {}
  // A heap dropped without close() (e.g. at process exit) still gives its memory back.
  ~VolatileHeap() override { Destroy(); }

 private:
  // open(dir, maxSize, capacityBytes) -> 0 or a status / memkind error code
  Napi::Value Open(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (kind_ != nullptr) throw Napi::Error::New(env, "heap already open");
    std::string dir = info[0].As<Napi::String>().Utf8Value();
    size_t maxSize = static_cast<size_t>(info[1].As<Napi::Number>().Int64Value());
    size_t capacity = static_cast<size_t>(info[2].As<Napi::Number>().Int64Value());
    memkind_t kind = nullptr;
    int err = memkind_create_pmem(dir.c_str(), maxSize, &kind);
    if (err != MEMKIND_SUCCESS) return Napi::Number::New(env, err);
    auto table = std::make_unique<EntryTable>(kind, capacity);
    Status st = table->init();
    if (st != kOk) {
      table.reset();
      memkind_destroy_kind(kind);  // its failure cannot be reported better than st
      return Napi::Number::New(env, st);
    }
    kind_ = kind;
    table_ = std::move(table);
    return Napi::Number::New(env, kOk);
  }

  // get(key) -> the document's JSON text, copied out once, or undefined
  Napi::Value Get(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    KeyBytes key(env, info[0]);
    Entry* e = table(env).touch(key.data(), key.size());
    if (e == nullptr) return env.Undefined();
    return Napi::String::New(env, e->doc(), e->docLen);
  }

  // set(key, json, utf8Length) -> 0 or a status
  Napi::Value Set(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    KeyBytes key(env, info[0]);
    if (!info[1].IsString()) throw Napi::TypeError::New(env, "json must be a string");
    int64_t declared = info[2].As<Napi::Number>().Int64Value();
    if (declared < 0 || declared > int64_t(UINT32_MAX) - 1) throw Napi::RangeError::New(env, "bad document length");
    uint32_t docLen = static_cast<uint32_t>(declared);
    EntryTable& t = table(env);
    Status st = kOk;
    Entry* e = t.reserve(key.data(), key.size(), docLen, &st);
    if (e == nullptr) return Napi::Number::New(env, st);
    // The one copy of the document: V8's string straight into the memkind allocation.
    size_t written = 0;
    napi_status ns = napi_get_value_string_utf8(env, info[1], e->doc(), size_t(docLen) + 1, &written);
    if (ns != napi_ok || written != docLen) {
      t.discard(e);
      throw Napi::RangeError::New(env, "json's UTF-8 length differs from the length given");
    }
    t.commit(e);
    return Napi::Number::New(env, kOk);
  }

  Napi::Value Has(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    KeyBytes key(env, info[0]);
    return Napi::Boolean::New(env, table(env).peek(key.data(), key.size()) != nullptr);
  }

  Napi::Value Delete(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    KeyBytes key(env, info[0]);
    return Napi::Boolean::New(env, table(env).remove(key.data(), key.size()));
  }

  // keys() -> every key, least recently used first
  Napi::Value Keys(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    EntryTable& t = table(env);
    Napi::Array keys = Napi::Array::New(env, t.usage().count);
    uint32_t i = 0;
    t.forEach([&](Entry* e) { keys.Set(i++, Napi::String::New(env, e->key(), e->keyLen)); });
    return keys;
  }

  Napi::Value Clear(const Napi::CallbackInfo& info) {
    table(info.Env()).clear();
    return info.Env().Undefined();
  }

  // usage(out: Float64Array(3)) <- count, bytesUsed, evictions
  Napi::Value Usage(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    HeapUsage u = table(env).usage();
    Napi::Float64Array out = info[0].As<Napi::Float64Array>();
    if (out.ElementLength() < 3) throw Napi::RangeError::New(env, "usage needs a Float64Array(3)");
    out[0] = double(u.count);
    out[1] = double(u.bytesUsed);
    out[2] = double(u.evictions);
    return env.Undefined();
  }

  // heapStats(out: Float64Array(3)) <- memkind's allocated, active, resident bytes; -> 0 or a memkind code
  Napi::Value HeapStats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    table(env);
    Napi::Float64Array out = info[0].As<Napi::Float64Array>();
    if (out.ElementLength() < 3) throw Napi::RangeError::New(env, "heapStats needs a Float64Array(3)");
    int err = memkind_update_cached_stats();
    if (err != MEMKIND_SUCCESS) return Napi::Number::New(env, err);
    const memkind_stat_type types[] = {MEMKIND_STAT_TYPE_ALLOCATED, MEMKIND_STAT_TYPE_ACTIVE, MEMKIND_STAT_TYPE_RESIDENT};
    for (size_t i = 0; i < 3; i++) {
      size_t value = 0;
      err = memkind_get_stat(kind_, types[i], &value);
      if (err != MEMKIND_SUCCESS) return Napi::Number::New(env, err);
      out[i] = double(value);
    }
    return Napi::Number::New(env, kOk);
  }

  // close() -> 0 or memkind_destroy_kind's error code; idempotent
  Napi::Value Close(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), Destroy()); }

  int Destroy() {
    table_.reset();  // frees every entry and the buckets while the kind still exists
    if (kind_ == nullptr) return MEMKIND_SUCCESS;
    int err = memkind_destroy_kind(kind_);
    kind_ = nullptr;
    return err;
  }

  EntryTable& table(Napi::Env env) {
    if (!table_) throw Napi::Error::New(env, "heap is not open");
    return *table_;
  }

  memkind_t kind_ = nullptr;
  std::unique_ptr<EntryTable> table_;
};

// errorMessage(code) -> memkind's text for one of its error codes
Napi::Value ErrorMessage(const Napi::CallbackInfo& info) {
  char message[MEMKIND_ERROR_MESSAGE_SIZE];
  memkind_error_message(info[0].As<Napi::Number>().Int32Value(), message, sizeof(message));
  return Napi::String::New(info.Env(), message);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("VolatileHeap", VolatileHeap::Define(env));
  exports.Set("errorMessage", Napi::Function::New<ErrorMessage>(env, "errorMessage"));
  Napi::Object status = Napi::Object::New(env);
  status.Set("OK", int(kOk));
  status.Set("TOO_LARGE", int(kTooLarge));
  status.Set("HEAP_FULL", int(kHeapFull));
  status.Set("INDEX_ALLOC", int(kIndexAlloc));
  exports.Set("status", status);
  return exports;
}

NODE_API_MODULE(volatile_heap, Init)

}  // namespace volatile_heap
