// The only libpmem use of the adapter: map a file, flush ranges of it to the persistence domain,
// unmap it. The record format, recovery and the index live in TypeScript over the mapped bytes.
#pragma once

#include <napi.h>

namespace hybrid_index {

// mapFile(path) -> { buffer: Buffer over the whole file, isPmem: boolean }.
// The mapping belongs to the buffer: it is unmapped when the buffer is collected or unmapped.
Napi::Value MapFile(const Napi::CallbackInfo& info);

// persist(buffer, isPmem, offset, length): makes buffer[offset, offset+length) durable
// (CPU cache flush on pmem, msync otherwise).
void Persist(const Napi::CallbackInfo& info);

// unmap(buffer): detaches the buffer from JavaScript (later access sees length 0, never freed
// memory); the mapping itself is released once V8 lets go of it.
void Unmap(const Napi::CallbackInfo& info);

}  // namespace hybrid_index
