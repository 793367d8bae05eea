#include "narrator.h"

#include <nlohmann/json.hpp>

namespace xdrsync::cli {

using nlohmann::json;

void Narrator::Title(const std::string& text) {
  std::fprintf(out_, "\n== %s\n", text.c_str());
  std::fflush(out_);
}

void Narrator::Line(const std::string& text) {
  std::fprintf(out_, "%s\n", text.c_str());
  std::fflush(out_);
}

namespace {

std::string Get(const LogFields& fields, std::string_view key) {
  for (const auto& [k, v] : fields) {
    if (k == key) return v;
  }
  return "";
}

// A string member, or `fallback` when it is absent, null or not a string.
std::string Str(const json& j, const char* key, const std::string& fallback = "") {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::string Short(std::string v) {
  for (char& c : v) {
    if (c == '\n') c = ' ';
  }
  return v.size() > 60 ? v.substr(0, 57) + "..." : v;
}

}  // namespace

void NarratingLogger::Log(LogLevel level, std::string_view event, const LogFields& f) {
  const std::string link = Get(f, "link");
  if (event == "twin.created") {
    say_.Line("  [" + link + "] Defender incident " + Get(f, "defender_id") + " -> new Sentinel twin " +
              Get(f, "sentinel_id").substr(0, 8) + "… (" + Get(f, "way") + " way; " + Get(f, "cause") + ")");
  } else if (event == "change.propagated") {
    const bool to_sentinel = Get(f, "direction") == "defender-to-sentinel";
    const std::string field = Get(f, "field");
    if (field == "description") {
      say_.Line("  [" + link + "] incident " + Get(f, "defender_id") + ": twin description refreshed (alert digest)");
      return;
    }
    say_.Line("  [" + link + "] incident " + Get(f, "defender_id") + ": " + field + " '" + Short(Get(f, "from")) +
              "' -> '" + Short(Get(f, "to")) + "' " + (to_sentinel ? "in Sentinel" : "in Defender") + " (" +
              Get(f, "cause") + ")");
  } else if (event == "comment.written") {
    const std::string purpose = Get(f, "purpose");
    const std::string where = Get(f, "target") == "sentinel" ? "Sentinel" : "Defender";
    std::string what = purpose == "copy"                  ? "comment copied to " + where
                       : purpose == "alerts"              ? "alert table written to the Sentinel twin"
                       : purpose == "deeplink"            ? "link to the Sentinel twin added in Defender"
                       : purpose == "merge-notice"        ? "merge notice added to the closed twin"
                       : purpose.rfind("merge-carry", 0) == 0 ? "comment carried over from the merged incident to " + where
                                                              : purpose + " comment written to " + where;
    say_.Line("  [" + link + "] incident " + Get(f, "defender_id") + ": " + what);
  } else if (event == "conflict" && Get(f, "kind") != "both-changed") {
    say_.Line("  [" + link + "] incident " + Get(f, "defender_id") + ": " + Get(f, "field") + " edit journaled (" +
              Get(f, "kind") + "): nothing to sync it to");
  } else if (event == "conflict") {
    say_.Line("  [" + link + "] incident " + Get(f, "defender_id") + ": CONFLICT on " + Get(f, "field") +
              " (defender '" + Short(Get(f, "defender_value")) + "', sentinel '" + Short(Get(f, "sentinel_value")) +
              "') -> policy " + Get(f, "policy") + " chose " + Get(f, "decision"));
  } else if (event == "notice" || event == "cycle.held" || level >= LogLevel::kWarning) {
    std::string text = "  [" + link + "] " + std::string(event);
    for (const auto& [k, v] : f) {
      if (k != "link") text += " " + k + "=" + Short(v);
    }
    say_.Line(text);
  }
}

std::map<std::string, std::string> ReadTwins(emulator::World& world, const std::string&) {
  std::map<std::string, std::string> out;
  const json dump = world.Dump();
  for (const auto& [name, ws] : dump["workspaces"].items()) {
    for (const auto& i : ws["incidents"]) {
      out[Str(i, "name")] = Str(i.contains("properties") ? i["properties"] : json(), "title");
    }
  }
  return out;
}

namespace {

std::string Owner(const json& owner) {
  const std::string upn = Str(owner, "userPrincipalName");
  return upn.empty() ? Str(owner, "assignedTo", "-") : upn;
}

std::string Pad(std::string s, size_t n) {
  if (s.size() > n) s = s.substr(0, n - 1) + "…";
  return s + std::string(n > s.size() ? n - s.size() : 0, ' ');
}

}  // namespace

void PrintTable(Narrator& say, emulator::World& world, const std::vector<std::string>& tenants, const std::string&,
                store::StateStore& store, const std::vector<std::string>& order) {
  const json dump = world.Dump();
  std::map<std::string, json> arm;
  for (const auto& [name, ws] : dump["workspaces"].items()) {
    for (const auto& i : ws["incidents"]) arm[Str(i, "name")] = i;
  }
  say.Title("Both sides now");
  say.Line(Pad("Defender incident", 44) + Pad("status", 11) + Pad("owner", 20) + Pad("classification", 24) + "| " +
           Pad("Sentinel #", 11) + Pad("status", 8) + Pad("owner", 20) + Pad("classification", 36) + "labels");
  for (const auto& tenant : tenants) {
    const std::string link = tenant == tenants.front() ? "contoso-to-soc" : "fabrikam-to-soc";
    for (const auto& d : dump["tenants"][tenant]["incidents"]) {
      const std::string id = Str(d, "id");
      if (std::find(order.begin(), order.end(), id) == order.end()) continue;
      std::string cls = Str(d, "classification");
      if (!Str(d, "determination").empty() && Str(d, "determination") != "unknown") cls += "/" + Str(d, "determination");
      std::string left = Pad(id + " " + Str(d, "displayName"), 44) + Pad(Str(d, "status"), 11) +
                         Pad(Str(d, "assignedTo", "-"), 20) + Pad(cls, 24);
      std::string right = "(no twin)";
      auto pair = store.PairByDefenderId(link, id);
      if (pair.ok() && *pair && arm.count((*pair)->sentinel_id)) {
        const json& p = arm[(*pair)->sentinel_id]["properties"];
        std::string scls = Str(p, "classification");
        if (!Str(p, "classificationReason").empty()) scls += "/" + Str(p, "classificationReason");
        std::string labels;
        if (p.contains("labels") && p["labels"].is_array()) {
          for (const auto& l : p["labels"]) labels += (labels.empty() ? "" : ", ") + Str(l, "labelName");
        }
        const int64_t number = p.contains("incidentNumber") && p["incidentNumber"].is_number_integer()
                                   ? p["incidentNumber"].get<int64_t>()
                                   : 0;
        right = Pad(std::to_string(number), 11) + Pad(Str(p, "status"), 8) +
                Pad(Owner(p.contains("owner") ? p["owner"] : json()), 20) + Pad(scls, 36) + labels;
      }
      say.Line(left + "| " + right);
    }
  }
}

}  // namespace xdrsync::cli
