// Small string helpers shared by every layer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace xdrsync {

std::string AsciiLower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string_view Trim(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
// True when s is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Cuts s to at most max_bytes without splitting a UTF-8 sequence.
std::string Utf8Prefix(std::string_view s, size_t max_bytes);
// RFC 3986 percent-encoding: unreserved characters (A-Z a-z 0-9 - . _ ~) and those in `keep` stay,
// every other byte becomes %XX (upper-case hex).
// Text made safe to print on a terminal: C0 controls (newline and tab included), DEL, the C1
// controls U+0080..U+009F and bytes that are not UTF-8 become visible escapes ("\x1b", "\u009b"), so
// service-supplied text cannot move the cursor, clear the screen, retitle the terminal or forge
// a line. Printable text, non-ASCII letters included, is unchanged.
std::string EscapeForTerminal(std::string_view text);
std::string PercentEncode(std::string_view text, std::string_view keep = {});
std::vector<std::string> Split(std::string_view s, char sep);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace xdrsync
