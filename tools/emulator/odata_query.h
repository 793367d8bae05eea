// The small OData subset both list APIs understand: `$filter` as clauses joined by `and`
// (eq, ne, gt, ge, lt, le) and a single-key `$orderby`. Literals are typed as OData v4 types
// them: date-times unquoted with a zone, strings and enum members in single quotes (members
// spelled exactly), integers unquoted, `null` for any type. Pure functions.
#pragma once

#include <functional>
#include <map>
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

enum class LiteralType { kString, kDateTime, kEnum, kInt };

struct FieldSpec {
  LiteralType type = LiteralType::kString;
  // kEnum: the canonical spelling of a member (any case in), nullopt when not a member.
  std::function<std::optional<std::string>(const std::string&)> member;
};

// Filterable fields of one entity and the literal type each one takes.
using FilterSchema = std::map<std::string, FieldSpec>;

struct ODataFilter {
  std::vector<FilterClause> clauses;
};

struct OrderBy {
  std::string field;
  bool descending = false;
};

// Fields outside `schema` are an error (the services refuse filters on unknown properties), and
// so is a literal of the wrong type: a quoted or date-only value for a date-time, an impossible
// date, an unquoted string, an enum member in another case.
bool ParseFilter(const std::string& text, const FilterSchema& schema, ODataFilter* out,
                 std::string* error);
// "2025-06-01T00:00:00Z", "…T00:00:00.5+02:00": a real instant with a zone.
bool IsDateTimeOffsetLiteral(const std::string& text);
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
