#include "xdrsync/core/host.h"

#include <array>
#include <cstdint>
#include <optional>

#include "xdrsync/core/strings.h"

namespace xdrsync {
namespace {

// Four decimal octets, each 0..255 with at most three digits.
std::optional<std::array<int, 4>> ParseIpv4(std::string_view s) {
  std::array<int, 4> octets{};
  size_t part = 0, digits = 0;
  int value = 0;
  for (char c : s) {
    if (c == '.') {
      if (digits == 0 || part == 3) return std::nullopt;
      octets[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= '0' && c <= '9') {
      if (++digits > 3) return std::nullopt;
      value = value * 10 + (c - '0');
      if (value > 255) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  if (digits == 0 || part != 3) return std::nullopt;
  octets[3] = value;
  return octets;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Up to eight groups of one to four hex digits, with at most one "::".
std::optional<std::array<uint16_t, 8>> ParseIpv6(std::string_view s) {
  std::array<uint16_t, 8> head{}, tail{};
  size_t n_head = 0, n_tail = 0;
  bool gap = false;
  if (s.substr(0, 2) == "::") {
    gap = true;
    s.remove_prefix(2);
  }
  while (!s.empty()) {
    size_t len = 0;
    uint32_t group = 0;
    while (len < s.size() && HexValue(s[len]) >= 0) {
      group = group * 16 + static_cast<uint32_t>(HexValue(s[len]));
      if (++len > 4) return std::nullopt;
    }
    if (len == 0) return std::nullopt;
    if (n_head + n_tail == 8) return std::nullopt;  // a ninth group: checked before it is stored
    (gap ? tail[n_tail++] : head[n_head++]) = static_cast<uint16_t>(group);
    s.remove_prefix(len);
    if (s.empty()) break;
    if (s[0] != ':') return std::nullopt;
    if (s.substr(0, 2) == "::") {
      if (gap) return std::nullopt;
      gap = true;
      s.remove_prefix(2);
    } else {
      s.remove_prefix(1);
      if (s.empty()) return std::nullopt;
    }
  }
  if (!gap && n_head != 8) return std::nullopt;
  if (gap && n_head + n_tail > 7) return std::nullopt;
  std::array<uint16_t, 8> out{};
  for (size_t i = 0; i < n_head; ++i) out[i] = head[i];
  for (size_t i = 0; i < n_tail; ++i) out[8 - n_tail + i] = tail[i];
  return out;
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  const std::string h = AsciiLower(host);
  if (h == "localhost" || h == "localhost.") return true;
  if (auto v4 = ParseIpv4(h)) return (*v4)[0] == 127;
  std::string_view v6 = h;
  if (v6.size() >= 2 && v6.front() == '[' && v6.back() == ']') v6 = v6.substr(1, v6.size() - 2);
  if (auto groups = ParseIpv6(v6)) {
    for (size_t i = 0; i < 7; ++i) {
      if ((*groups)[i] != 0) return false;
    }
    return (*groups)[7] == 1;
  }
  return false;
}

}  // namespace xdrsync
