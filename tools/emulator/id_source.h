// Seeded source of GUIDs and opaque tokens, so two runs with one seed hand out the same ids.
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>

namespace xdrsync::emulator {

class IdSource {
 public:
  explicit IdSource(uint64_t seed) : rng_(seed) {}
  std::string Guid();
  // A GUID in double quotes: the shape of an ARM incident etag.
  std::string QuotedGuid();
  std::string Hex(size_t bytes);

 private:
  std::mutex mu_;
  std::mt19937_64 rng_;
};

}  // namespace xdrsync::emulator
