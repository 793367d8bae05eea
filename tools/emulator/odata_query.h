// The small OData subset both list APIs understand: `$filter` as clauses joined by `and`
// (eq, ne, gt, ge, lt, le; string, number, null and unquoted date-time literals) and a
// single-key `$orderby`. Pure functions.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace xdrsync::emulator {

struct FilterClause {
  std::string field;
  std::string op;
  std::optional<std::string> value;  // nullopt = the null literal
};

struct ODataFilter {
  std::vector<FilterClause> clauses;
};

struct OrderBy {
  std::string field;
  bool descending = false;
};

// Fields outside `fields` are an error (the services refuse filters on unknown properties).
bool ParseFilter(const std::string& text, const std::set<std::string>& fields, ODataFilter* out,
                 std::string* error);
bool ParseOrderBy(const std::string& text, const std::set<std::string>& fields, OrderBy* out,
                  std::string* error);

// Field value of the candidate; nullopt = null.
using FieldGetter = std::function<std::optional<std::string>(const std::string& field)>;
// Values of `time_fields` compare as instants, digit-only values as numbers, other strings
// case-insensitively.
bool FilterMatches(const ODataFilter& filter, const FieldGetter& get,
                   const std::set<std::string>& time_fields);
// <0, 0, >0 like strcmp, with the same typing rules as FilterMatches.
int CompareValues(const std::string& a, const std::string& b, bool is_time);

}  // namespace xdrsync::emulator
