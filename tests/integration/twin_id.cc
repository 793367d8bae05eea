#include "twin_id.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <vector>

namespace xdrsync::integration {

namespace {

constexpr const char* kXdrsyncNamespace = "1953c2ad-1f91-4e8e-9778-b4a684bb2037";

std::vector<unsigned char> UuidBytes(const std::string& text) {
  std::vector<unsigned char> out;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '-') continue;
    out.push_back(static_cast<unsigned char>(std::stoi(text.substr(i, 2), nullptr, 16)));
    ++i;
  }
  return out;
}

}  // namespace

std::string UuidV5(const std::string& namespace_uuid, const std::string& name) {
  std::vector<unsigned char> input = UuidBytes(namespace_uuid);
  input.insert(input.end(), name.begin(), name.end());
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(input.data(), input.size(), digest);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);
  std::string out;
  char hex[3];
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    std::snprintf(hex, sizeof hex, "%02x", digest[i]);
    out += hex;
  }
  return out;
}

std::string TwinName(const std::string& tenant_id, const std::string& incident_id) {
  std::string tenant = tenant_id;
  std::transform(tenant.begin(), tenant.end(), tenant.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return UuidV5(kXdrsyncNamespace, tenant + "/" + incident_id);
}

}  // namespace xdrsync::integration
