#include "xdrsync/domain/comments.h"

#include <map>

#include "xdrsync/core/sha1.h"
#include "xdrsync/core/strings.h"
#include "xdrsync/core/uuid.h"

namespace xdrsync::domain {
namespace {
constexpr std::string_view kMarkerOpen = "[xdrsync:";
constexpr std::string_view kTruncatedNote = "\n[xdrsync: truncated]";
}  // namespace

std::string Marker(std::string_view uuid) {
  std::string m(kMarkerOpen);
  m += uuid;
  m += ']';
  return m;
}

std::optional<std::string> FindMarker(std::string_view text) {
  size_t pos = 0;
  while ((pos = text.find(kMarkerOpen, pos)) != std::string_view::npos) {
    const size_t start = pos + kMarkerOpen.size();
    if (start + 37 <= text.size() && text[start + 36] == ']') {
      const std::string_view candidate = text.substr(start, 36);
      if (Uuid::Parse(candidate).ok()) return std::string(candidate);
    }
    pos = start;
  }
  return std::nullopt;
}

bool HasMarker(std::string_view text) {
  if (FindMarker(text)) return true;
  // The defender-alert twin carries "xdrsync:<uuid>" as a custom tag.
  return StartsWith(text, "xdrsync:") && text.size() == 8 + 36 && Uuid::Parse(text.substr(8)).ok();
}

std::vector<std::string> CanonicalDefenderCommentIds(const std::vector<DefenderComment>& comments) {
  std::vector<std::string> ids;
  std::map<std::string, int> seen;
  for (const auto& c : comments) {
    std::string key(Trim(c.text));
    key += '\x1f';
    key += c.author;
    key += '\x1f';
    if (c.created) key += std::to_string(c.created->unix_millis());
    const std::string hash = Sha1Hex(key).substr(0, 24);
    const int ordinal = seen[hash]++;
    ids.push_back(hash + "#" + std::to_string(ordinal));
  }
  return ids;
}

std::string CopyUuid(std::string_view link, Side source, std::string_view source_incident,
                     std::string_view canonical_id) {
  std::string name(link);
  name += '/';
  name += SideName(source);
  name += '/';
  name += source_incident;
  name += '/';
  name += canonical_id;
  return Uuid::V5(XdrsyncNamespace(), name).ToString();
}

std::string OwnCommentUuid(std::string_view link, std::string_view purpose, std::string_view key) {
  std::string name(link);
  name += "/own/";
  name += purpose;
  name += '/';
  name += key;
  return Uuid::V5(XdrsyncNamespace(), name).ToString();
}

bool IsSystemCommentAuthor(std::string_view author) {
  return author.find("alert correlation") != std::string_view::npos ||
         EqualsIgnoreCase(author, "Automation") || EqualsIgnoreCase(author, "System");
}

std::string TruncateWithNote(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  return Utf8Prefix(text, max_bytes - kTruncatedNote.size()) + std::string(kTruncatedNote);
}

std::string RenderCopiedComment(std::string_view uuid, Side source, std::string_view author,
                                std::optional<Timestamp> created, std::string_view text,
                                size_t max_chars) {
  std::string out = Marker(uuid);
  out += source == Side::kDefender ? " From Defender" : " From Sentinel";
  out += " — ";
  out += author.empty() ? std::string_view("unknown author") : author;
  if (created) {
    out += ", ";
    out += created->ToSecondsString();
  }
  out += ":\n";
  out += text;
  return TruncateWithNote(out, max_chars);
}

}  // namespace xdrsync::domain
