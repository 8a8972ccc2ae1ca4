// Hashing for the index (key hashes) and for torn/garbage detection (entry checksums).
// Not cryptographic: 4 independent multiply-xorshift lanes over 8-byte words, so a 1 KiB
// document costs about as much as copying it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace app_direct {

inline uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

inline uint64_t HashBytes(const void *data, size_t len, uint64_t seed) {
  const auto *p = static_cast<const unsigned char *>(data);
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ULL;
  uint64_t lane[4] = {seed ^ len, seed + kMul, seed ^ (kMul << 1), seed - kMul};
  size_t i = 0;
  for (; i + 32 <= len; i += 32) {
    for (int l = 0; l < 4; l++) {
      uint64_t w;
      std::memcpy(&w, p + i + 8 * l, 8);
      lane[l] = (lane[l] ^ w) * kMul;
      lane[l] ^= lane[l] >> 31;
    }
  }
  uint64_t tail = 0;
  for (size_t shift = 0; i < len; i++, shift += 8) {
    if (shift == 64) {
      lane[0] = (lane[0] ^ tail) * kMul;
      tail = 0;
      shift = 0;
    }
    tail |= static_cast<uint64_t>(p[i]) << shift;
  }
  return Mix(lane[0] ^ Mix(lane[1]) ^ Mix(lane[2] + tail) ^ Mix(lane[3] + 1));
}

}  // namespace app_direct
