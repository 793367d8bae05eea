// The configuration document as a whole: JSON syntax (with duplicate keys refused), the top-level
// keys, and the checks that span sections (names, link targets, the same-tenant mirror).
#include "xdrsync/app/config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "config_parts.h"
#include "xdrsync/core/shard.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::app {
namespace {

using detail::Json;
using detail::ObjectReader;
using detail::Problems;
using detail::Quoted;

constexpr size_t kMaxConfigBytes = 4 << 20;

// nlohmann keeps the last of two equal keys without a word; an operator who wrote a key twice
// meant one of them, so the document is refused. This tracks the key path while parsing.
class DuplicateKeyFinder {
 public:
  bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
    using E = Json::parse_event_t;
    switch (event) {
      case E::object_start:
      case E::array_start:
        stack_.push_back({event == E::object_start, stack_.empty() ? "" : ChildPath(stack_.back()), 0, "", {}});
        break;
      case E::key: {
        Frame& f = stack_.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second && duplicate_.empty()) duplicate_ = ChildPath(f);
        break;
      }
      case E::object_end:
      case E::array_end:
        stack_.pop_back();
        if (!stack_.empty() && !stack_.back().is_object) ++stack_.back().index;
        break;
      case E::value:
        if (!stack_.empty() && !stack_.back().is_object) ++stack_.back().index;
        break;
    }
    return true;
  }
  const std::string& duplicate() const { return duplicate_; }

 private:
  struct Frame {
    bool is_object;
    std::string path;
    size_t index;
    std::string key;
    std::set<std::string> keys;
  };
  static std::string ChildPath(const Frame& f) {
    if (!f.is_object) return f.path + "[" + std::to_string(f.index) + "]";
    return f.path.empty() ? f.key : f.path + "." + f.key;
  }
  std::vector<Frame> stack_;
  std::string duplicate_;
};

// A configuration is a few levels deep. A document nested deeper is refused before it is parsed:
// the key paths tracked above would cost time and memory quadratic in the depth (found by
// fuzz_config: 46 KB of '[' took over 10 s under ASan).
constexpr size_t kMaxDepth = 64;

bool NestedTooDeep(std::string_view text) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

std::string SyntaxProblem(std::string_view text, const Json::parse_error& e) {
  size_t line = 1;
  size_t column = 1;
  for (size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  // nlohmann's message ends with "last read: '<text>'", which could quote a secret: cut it.
  std::string what = e.what();
  if (auto p = what.find("syntax error"); p != std::string::npos) what = what.substr(p);
  if (auto p = what.find("; last read"); p != std::string::npos) what = what.substr(0, p);
  return "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + what;
}

template <typename T>
void ReadArray(ObjectReader& root, std::string_view key, std::vector<T>& out, void (*read)(ObjectReader&, T&)) {
  root.Require(key);
  const Json* v = root.Take(key);
  if (v == nullptr) return;
  if (!v->is_array()) {
    root.problems().Add(root.Path(key), "expected an array, got " + std::string(detail::JsonTypeName(*v)));
    return;
  }
  for (size_t i = 0; i < v->size(); ++i) {
    ObjectReader item(&(*v)[i], std::string(key) + "[" + std::to_string(i) + "]", root.problems());
    T value;
    read(item, value);
    out.push_back(std::move(value));
  }
}

template <typename T>
void CheckUniqueNames(Problems& problems, std::string_view key, const std::vector<T>& items) {
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < items.size(); ++i) {
    auto [it, fresh] = seen.emplace(AsciiLower(items[i].name), i);
    if (!fresh) {
      problems.Add(std::string(key) + "[" + std::to_string(i) + "].name",
                   "duplicate name " + Quoted(items[i].name) + " (also " + std::string(key) + "[" +
                       std::to_string(it->second) + "])");
    }
  }
}

template <typename T>
std::string Names(const std::vector<T>& items) {
  std::vector<std::string> names;
  for (const auto& i : items) names.push_back(i.name);
  return names.empty() ? "none defined" : "defined: " + Join(names, ", ");
}

void CheckLinks(Config& c, Problems& problems) {
  CheckUniqueNames(problems, "defender_tenants", c.defender_tenants);
  CheckUniqueNames(problems, "sentinel_workspaces", c.sentinel_workspaces);
  CheckUniqueNames(problems, "links", c.links);
  std::map<std::pair<std::string, std::string>, size_t> pairs;
  for (size_t i = 0; i < c.links.size(); ++i) {
    LinkConfig& link = c.links[i];
    const std::string path = "links[" + std::to_string(i) + "]";
    const DefenderTenant* t = c.FindTenant(link.defender);
    const SentinelWorkspace* w = c.FindWorkspace(link.sentinel);
    if (t == nullptr) {
      problems.Add(path + ".defender",
                   "no defender tenant named " + Quoted(link.defender) + " (" + Names(c.defender_tenants) + ")");
      continue;
    }
    if (w == nullptr) {
      problems.Add(path + ".sentinel", "no sentinel workspace named " + Quoted(link.sentinel) + " (" +
                                           Names(c.sentinel_workspaces) + ")");
      continue;
    }
    link.policy.defender_tenant_id = t->tenant_id;
    auto [it, fresh] = pairs.emplace(std::make_pair(t->name, w->name), i);
    if (!fresh) {
      problems.Add(path, "links the same tenant and workspace as links[" + std::to_string(it->second) + "]");
    }
    // Spec §3: in an onboarded workspace of the same tenant, the Defender incident and its Sentinel
    // view are one object; a twin would copy each incident onto itself.
    if (link.policy.mode == reconcile::LinkMode::kMirror && w->portal == Portal::kDefender &&
        t->tenant_id == w->tenant_id) {
      problems.Add(path + ".mode", "mirror between tenant " + Quoted(t->name) + " and workspace " +
                                       Quoted(w->name) + ", onboarded to the Defender portal of the same "
                                       "tenant, would copy every incident onto itself; use mode 'link'");
    }
  }
}

void ReadLeases(ObjectReader& root, LeaseConfig& out, Problems& problems) {
  ObjectReader leases(root.Take("leases"), "leases", problems);
  if (!leases.present()) return;
  out.enabled = true;
  leases.String("api_url", out.api_url);
  if (!out.api_url.empty()) {
    if (std::string why = detail::UrlProblem(out.api_url); !why.empty()) problems.Add("leases.api_url", why);
  }
  leases.String("namespace", out.lease_namespace);
  leases.String("identity", out.identity);
  leases.Int("duration_seconds", out.duration_seconds, 5, 300);
  leases.NonEmptyString("token_file", out.token_file);
  leases.String("ca_file", out.ca_file);
  leases.Finish();
}

}  // namespace

const DefenderTenant* Config::FindTenant(const std::string& name) const {
  for (const auto& t : defender_tenants) {
    if (EqualsIgnoreCase(t.name, name)) return &t;
  }
  return nullptr;
}

const SentinelWorkspace* Config::FindWorkspace(const std::string& name) const {
  for (const auto& w : sentinel_workspaces) {
    if (EqualsIgnoreCase(w.name, name)) return &w;
  }
  return nullptr;
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return InvalidArgument("expected host:port, like 127.0.0.1:9464");
  std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  if (StartsWith(host, "[")) {
    if (!EndsWith(host, "]") || host.size() < 3) return InvalidArgument("expected [ipv6]:port, like [::1]:9464");
    host = host.substr(1, host.size() - 2);
    for (char c : host) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') {
        return InvalidArgument("not an IPv6 address");
      }
    }
  } else {
    for (char c : host) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') {
        return InvalidArgument("expected host:port, like 127.0.0.1:9464 (IPv6 in brackets)");
      }
    }
  }
  if (port.empty() || port.size() > 5) return InvalidArgument("expected a port number 0-65535");
  uint32_t n = 0;
  for (char c : port) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return InvalidArgument("expected a port number 0-65535");
    n = n * 10 + static_cast<uint32_t>(c - '0');
  }
  if (n > 65535) return InvalidArgument("expected a port number 0-65535");
  return ListenAddress{std::string(host), static_cast<uint16_t>(n)};
}

namespace {

// The floor may not be above the interval (polling never gets slower than configured); unset, it
// is the default or the interval, whichever is shorter.
void ReadMinPoll(ObjectReader& root, Config& c, Problems& problems) {
  if (!root.Has("min_poll_seconds")) {
    root.Know({"min_poll_seconds"});
    c.min_poll_seconds = std::min(kDefaultMinPollSeconds, c.poll_interval_seconds);
    return;
  }
  root.Int("min_poll_seconds", c.min_poll_seconds, 1, 86'400);
  if (c.min_poll_seconds > c.poll_interval_seconds) {
    problems.Add("min_poll_seconds", "must not be above poll_interval_seconds (" +
                                         std::to_string(c.poll_interval_seconds) + "), got " +
                                         std::to_string(c.min_poll_seconds));
  }
}

}  // namespace

Result<Config> ParseConfig(std::string_view json_text, std::string_view source_path) {
  Problems problems{std::string(source_path)};
  if (NestedTooDeep(json_text)) {
    problems.Add("(document)", "nested deeper than " + std::to_string(kMaxDepth) + " levels");
    return problems.status();
  }
  DuplicateKeyFinder duplicates;
  Json doc;
  try {
    doc = Json::parse(json_text, std::ref(duplicates));
  } catch (const Json::parse_error& e) {
    problems.Add("(document)", SyntaxProblem(json_text, e));
    return problems.status();
  } catch (const std::exception& e) {
    problems.Add("(document)", "cannot be read as JSON");
    return problems.status();
  }
  if (!duplicates.duplicate().empty()) {
    problems.Add(duplicates.duplicate(), "duplicate key (each key may appear once)");
    return problems.status();
  }
  Config c;
  c.source_path = std::string(source_path);
  ObjectReader root(&doc, "", problems);
  if (!root.present()) return problems.status();
  root.NonEmptyString("state_path", c.state_path);
  root.Int("poll_interval_seconds", c.poll_interval_seconds, 1, 86'400);
  ReadMinPoll(root, c, problems);
  root.Int("full_sweep_interval_seconds", c.full_sweep_interval_seconds, 1, 30 * 86'400);
  root.Int("sweep_overlap_seconds", c.sweep_overlap_seconds, 0, 30 * 86'400);
  root.Int("initial_lookback_hours", c.initial_lookback_hours, 0, 24 * 366);
  root.Int("overlap_seconds", c.overlap_seconds, 0, 86'400);
  int64_t attempts = c.max_attempts;
  root.Int("max_attempts", attempts, 1, 1000);
  c.max_attempts = static_cast<int>(attempts);
  root.Int("create_recheck_seconds", c.create_recheck_seconds, 1, 600);
  {
    ObjectReader log(root.Take("log"), "log", problems);
    log.Enum(
        "format", detail::EnumTable<std::string>{{"json", "json"}, {"text", "text"}}, "format", c.log.format);
    log.Enum("level",
             detail::EnumTable<std::string>{{"trace", "trace"}, {"debug", "debug"}, {"info", "info"},
                                            {"warning", "warning"}, {"error", "error"},
                                            {"critical", "critical"}, {"off", "off"}},
             "level", c.log.level);
    log.Finish();
  }
  root.String("listen", c.listen);
  if (!c.listen.empty()) {
    if (auto a = ParseListenAddress(c.listen); !a.ok()) problems.Add("listen", a.status().message());
  }
  root.String("shard", c.shard);
  if (!c.shard.empty()) {
    if (auto sh = ParseShard(c.shard); !sh.ok()) problems.Add("shard", sh.status().message());
  }
  ReadLeases(root, c.leases, problems);
  ReadArray(root, "defender_tenants", c.defender_tenants, &detail::ReadTenant);
  ReadArray(root, "sentinel_workspaces", c.sentinel_workspaces, &detail::ReadWorkspace);
  ReadArray(root, "links", c.links, &detail::ReadLink);
  if (problems.ok() && c.links.empty()) problems.Add("links", "at least one link is required");
  root.Finish();
  if (problems.ok()) CheckLinks(c, problems);
  if (!problems.ok()) return problems.status();
  return c;
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument(path + ": cannot open the configuration file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return InvalidArgument(path + ": cannot read the configuration file");
  const std::string s = text.str();
  if (s.size() > kMaxConfigBytes) return InvalidArgument(path + ": larger than 4 MiB, not a configuration file");
  return ParseConfig(s, path);
}

}  // namespace xdrsync::app
