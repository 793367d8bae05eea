// Host names and literal addresses, read as a resolver would read them, not as text: "127.evil.example"
// is a name, not a loopback address. Standard library only.
#pragma once

#include <string_view>

namespace xdrsync {

// True for "localhost" (with or without the trailing dot, any case), an IPv4 literal in
// 127.0.0.0/8 written as four decimal octets, and the IPv6 loopback ::1 in any spelling
// ("::1", "0:0:0:0:0:0:0:1", "[::1]"). Everything else, names that merely start with "127." or
// "localhost" included, is false.
bool IsLoopbackHost(std::string_view host);

}  // namespace xdrsync
