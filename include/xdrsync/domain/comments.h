// Comment identity and rendering (spec §4 "Comments"). Every comment xdrsync writes carries the
// marker "[xdrsync:<uuid>]", the UUIDv5 of (link, source side, canonical source comment id), so a
// copy is recognised on any side, by any instance, even after the state database is lost.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xdrsync/core/timestamp.h"
#include "xdrsync/domain/fields.h"
#include "xdrsync/domain/incident.h"

namespace xdrsync::domain {

inline constexpr size_t kSentinelCommentMaxChars = 30'000;
inline constexpr size_t kSentinelMaxComments = 100;

std::string Marker(std::string_view uuid);  // "[xdrsync:<uuid>]"
// The uuid of the first marker in text, if any.
std::optional<std::string> FindMarker(std::string_view text);
// True when text, a title, or a tag carries an xdrsync marker (an xdrsync-made object).
bool HasMarker(std::string_view text);

// Canonical ids of Defender comments, in order: a hash of (trimmed text, author, creation time
// truncated to milliseconds) plus the ordinal among identical triples ("<hex>#0").
std::vector<std::string> CanonicalDefenderCommentIds(const std::vector<DefenderComment>& comments);

// The uuid of a copy of a source comment: UUIDv5 of "<link>/<side>/<incident>/<canonical id>".
std::string CopyUuid(std::string_view link, Side source, std::string_view source_incident,
                     std::string_view canonical_id);
// The uuid of an xdrsync-owned comment of a given purpose ("alerts", "merge", "deeplink", ...).
std::string OwnCommentUuid(std::string_view link, std::string_view purpose, std::string_view key);

// Comments written by the services themselves (merge correlation, automation) are not copied.
bool IsSystemCommentAuthor(std::string_view author);

// The text of a copied comment: marker, origin header (side, author, original time), the text.
// Cut to max_chars with a visible note when longer.
std::string RenderCopiedComment(std::string_view uuid, Side source, std::string_view author,
                                std::optional<Timestamp> created, std::string_view text,
                                size_t max_chars = kSentinelCommentMaxChars);

// Cuts text to max bytes (never inside a UTF-8 sequence) and ends it with a visible note.
std::string TruncateWithNote(std::string_view text, size_t max_bytes);

}  // namespace xdrsync::domain
