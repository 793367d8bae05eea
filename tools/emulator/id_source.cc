#include "id_source.h"

namespace xdrsync::emulator {

std::string IdSource::Hex(size_t bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (size_t i = 0; i < bytes; ++i) {
    auto b = static_cast<unsigned>(rng_() & 0xFF);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string IdSource::Guid() {
  std::string h = Hex(16);
  // RFC 4122 version and variant nibbles: looks like a random UUID to strict parsers.
  h[12] = '4';
  h[16] = "89ab"[h[16] % 4];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

std::string IdSource::QuotedGuid() {
  // Built by append: GCC 12 at -O3 flags `"\"" + s + "\""` with a false -Wrestrict.
  std::string out(1, '"');
  out.append(Guid());
  out.push_back('"');
  return out;
}

}  // namespace xdrsync::emulator
