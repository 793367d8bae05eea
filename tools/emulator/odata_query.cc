#include "odata_query.h"

#include <algorithm>
#include <cctype>

#include "time_text.h"

namespace xdrsync::emulator {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Splits on spaces outside single quotes; '' inside quotes is an escaped quote.
bool Tokenize(const std::string& text, std::vector<std::string>* tokens) {
  std::string current;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\'') {
      if (quoted && i + 1 < text.size() && text[i + 1] == '\'') {
        current += "''";
        ++i;
        continue;
      }
      quoted = !quoted;
      current.push_back(c);
    } else if (!quoted && (c == ' ' || c == '\t')) {
      if (!current.empty()) tokens->push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (quoted) return false;
  if (!current.empty()) tokens->push_back(current);
  return true;
}

std::string StripParens(std::string s) {
  while (!s.empty() && s.front() == '(') s.erase(0, 1);
  while (!s.empty() && s.back() == ')' && std::count(s.begin(), s.end(), '\'') % 2 == 0) {
    if (s.size() >= 2 && s[s.size() - 2] == '\'') {
      s.pop_back();
      break;
    }
    s.pop_back();
  }
  return s;
}

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

bool IsDateTimeOffsetLiteral(const std::string& text) {
  if (text.size() < 20 || text[10] != 'T' || !ParseTime(text)) return false;
  char last = text.back();
  if (last == 'Z') return true;
  // ParseTime accepted it, so a non-Z ending is a ±hh:mm offset or nothing at all.
  size_t sign = text.size() - 6;
  return sign >= 19 && (text[sign] == '+' || text[sign] == '-') && text[sign + 3] == ':';
}

namespace {

const char* OperatorKind(const std::string& op) {
  if (op == "eq") return "Equal";
  if (op == "ne") return "NotEqual";
  if (op == "gt") return "GreaterThan";
  if (op == "ge") return "GreaterThanOrEqual";
  if (op == "lt") return "LessThan";
  return "LessThanOrEqual";
}

std::string Incompatible(const char* left, const char* right, const std::string& op) {
  return std::string("A binary operator with incompatible types was detected. Found operand types '") + left +
         "' and '" + right + "' for operator kind '" + OperatorKind(op) + "'.";
}

bool IsDateOnly(const std::string& s) {
  return s.size() == 10 && s[4] == '-' && s[7] == '-' && AllDigits(s.substr(0, 4)) &&
         AllDigits(s.substr(5, 2)) && AllDigits(s.substr(8, 2));
}

bool Quoted(const std::string& literal) {
  return literal.size() >= 2 && literal.front() == '\'' && literal.back() == '\'';
}

std::string Unquote(const std::string& literal) {
  std::string inner = literal.substr(1, literal.size() - 2), out;
  for (size_t k = 0; k < inner.size(); ++k) {
    out.push_back(inner[k]);
    if (inner[k] == '\'' && k + 1 < inner.size() && inner[k + 1] == '\'') ++k;
  }
  return out;
}

// Types the literal of one clause. Returns "" or the service's complaint.
std::string TypeLiteral(const FieldSpec& spec, const std::string& field, const std::string& op,
                        const std::string& literal, std::optional<std::string>* value) {
  if (literal == "null") {
    *value = std::nullopt;
    return "";
  }
  switch (spec.type) {
    case LiteralType::kDateTime:
      if (Quoted(literal)) return Incompatible("Edm.DateTimeOffset", "Edm.String", op);
      if (IsDateOnly(literal)) return Incompatible("Edm.DateTimeOffset", "Edm.Date", op);
      if (!IsDateTimeOffsetLiteral(literal)) {
        return "Unrecognized 'Edm.DateTimeOffset' literal '" + literal + "' for '" + field +
               "' (write an unquoted date-time with a zone, such as 2025-06-01T00:00:00Z).";
      }
      *value = literal;
      return "";
    case LiteralType::kInt:
      if (!AllDigits(literal) || literal.size() > 9) return Incompatible("Edm.Int32", "Edm.String", op);
      *value = literal;
      return "";
    case LiteralType::kString:
    case LiteralType::kEnum:
      break;
  }
  if (!Quoted(literal)) {
    return "Could not find a property named '" + literal + "' (a string literal for '" + field +
           "' needs single quotes).";
  }
  std::string text = Unquote(literal);
  if (spec.type == LiteralType::kEnum) {
    std::optional<std::string> member = spec.member ? spec.member(text) : std::nullopt;
    if (!member || *member != text) {
      return "The string '" + text + "' is not a valid enumeration type constant for '" + field + "'" +
             (member ? " (members are case-sensitive: '" + *member + "')." : ".");
    }
  }
  *value = text;
  return "";
}

}  // namespace

bool ParseFilter(const std::string& text, const FilterSchema& schema, ODataFilter* out,
                 std::string* error) {
  std::vector<std::string> tokens;
  if (!Tokenize(text, &tokens)) {
    *error = "Unterminated string literal in $filter.";
    return false;
  }
  size_t i = 0;
  while (i < tokens.size()) {
    if (i + 2 >= tokens.size()) {
      *error = "Syntax error at position " + std::to_string(i) + " in '" + text + "'.";
      return false;
    }
    FilterClause clause;
    clause.field = StripParens(tokens[i]);
    clause.op = Lower(tokens[i + 1]);
    auto spec = schema.find(clause.field);
    if (spec == schema.end()) {
      *error = "Could not find a property named '" + clause.field + "' usable in $filter.";
      return false;
    }
    static const std::set<std::string> kOps = {"eq", "ne", "gt", "ge", "lt", "le"};
    if (!kOps.count(clause.op)) {
      *error = "The operator '" + clause.op + "' is not supported in $filter.";
      return false;
    }
    *error = TypeLiteral(spec->second, clause.field, clause.op, StripParens(tokens[i + 2]), &clause.value);
    if (!error->empty()) return false;
    out->clauses.push_back(clause);
    i += 3;
    if (i < tokens.size()) {
      if (Lower(tokens[i]) != "and") {
        *error = "Only 'and' may join $filter clauses; found '" + tokens[i] + "'.";
        return false;
      }
      ++i;
      if (i >= tokens.size()) {
        *error = "Dangling 'and' in $filter.";
        return false;
      }
    }
  }
  return true;
}

bool ParseOrderBy(const std::string& text, const std::set<std::string>& fields, OrderBy* out,
                  std::string* error) {
  std::vector<std::string> tokens;
  Tokenize(text, &tokens);
  if (tokens.empty() || tokens.size() > 2 || !fields.count(tokens[0])) {
    *error = "The $orderby expression '" + text + "' is not supported.";
    return false;
  }
  out->field = tokens[0];
  out->descending = tokens.size() == 2 && Lower(tokens[1]) == "desc";
  if (tokens.size() == 2 && Lower(tokens[1]) != "asc" && !out->descending) {
    *error = "The $orderby direction '" + tokens[1] + "' is not valid.";
    return false;
  }
  return true;
}

int CompareValues(const std::string& a, const std::string& b, bool is_time) {
  if (is_time) {
    auto ta = ParseTime(a);
    auto tb = ParseTime(b);
    if (ta && tb) return *ta < *tb ? -1 : (*tb < *ta ? 1 : 0);
  }
  if (AllDigits(a) && AllDigits(b)) {
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
  }
  std::string la = Lower(a), lb = Lower(b);
  return la < lb ? -1 : (la == lb ? 0 : 1);
}

bool FilterMatches(const ODataFilter& filter, const FieldGetter& get,
                   const std::set<std::string>& time_fields) {
  for (const auto& clause : filter.clauses) {
    std::optional<std::string> actual = get(clause.field);
    bool ok;
    if (!clause.value || !actual) {
      bool both_null = !clause.value && !actual;
      ok = clause.op == "eq" ? both_null : clause.op == "ne" ? !both_null : false;
    } else {
      int cmp = CompareValues(*actual, *clause.value, time_fields.count(clause.field) > 0);
      ok = (clause.op == "eq" && cmp == 0) || (clause.op == "ne" && cmp != 0) ||
           (clause.op == "gt" && cmp > 0) || (clause.op == "ge" && cmp >= 0) ||
           (clause.op == "lt" && cmp < 0) || (clause.op == "le" && cmp <= 0);
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace xdrsync::emulator
