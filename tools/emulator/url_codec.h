// Percent-encoding helpers for paths, query strings and form bodies.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace xdrsync::emulator {

// Decodes %XX escapes; when plus_is_space, '+' becomes ' ' (form and query encoding).
std::string PercentDecode(const std::string& text, bool plus_is_space);
// Encodes everything except unreserved characters and the OData-safe "$'():,/" set.
std::string PercentEncodeQueryValue(const std::string& text);

// "a=1&b=x%20y" -> {a:"1", b:"x y"}. Later duplicates win. '+' decodes to a space, as browsers
// and cpprest's uri_builder agree; a literal plus must be sent as %2B.
std::map<std::string, std::string> ParseQuery(const std::string& query);

// Splits a decoded path into its non-empty segments.
std::vector<std::string> SplitPath(const std::string& path);

}  // namespace xdrsync::emulator
