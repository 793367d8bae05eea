#include "store/packed_bases.h"

#include <charconv>
#include <optional>

#include "xdrsync/domain/fields.h"

namespace xdrsync::store {
namespace {

void PutBytes(std::string& out, std::string_view bytes) {
  out += std::to_string(bytes.size());
  out += ':';
  out += bytes;
}

// Where the Defender base of `field` is in `bases`, or bases.size() when it has none.
size_t DefenderIndex(const std::vector<NamedBase>& bases, std::string_view field) {
  for (size_t i = 0; i < bases.size(); ++i) {
    if (bases[i].side == Side::kDefender && bases[i].field == field) return i;
  }
  return bases.size();
}

const std::string* DefenderValue(const std::vector<NamedBase>& bases, std::string_view field) {
  const size_t i = DefenderIndex(bases, field);
  return i < bases.size() ? &bases[i].base.value : nullptr;
}

// What is kept of a base's value: the text, or its digest for long free text (domain::BaseValue).
// A field this build does not know keeps its text.
std::string Kept(Side side, std::string_view field, const std::string& value) {
  const auto f = domain::ParseField(field);
  return f ? domain::BaseValue(side, *f, value) : value;
}

// Reads from a blob, failing on the first byte that does not fit the format.
class Reader {
 public:
  explicit Reader(std::string_view blob) : rest_(blob) {}
  bool done() const { return rest_.empty(); }
  bool Char(char c) {
    if (rest_.empty() || rest_.front() != c) return false;
    rest_.remove_prefix(1);
    return true;
  }
  std::optional<char> Any() {
    if (rest_.empty()) return std::nullopt;
    char c = rest_.front();
    rest_.remove_prefix(1);
    return c;
  }
  std::optional<std::string_view> Until(char stop) {
    size_t at = rest_.find(stop);
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view word = rest_.substr(0, at);
    rest_.remove_prefix(at + 1);
    return word;
  }
  std::optional<int64_t> Int(char stop) {
    auto word = Until(stop);
    int64_t v = 0;
    if (!word || word->empty()) return std::nullopt;
    auto [ptr, ec] = std::from_chars(word->data(), word->data() + word->size(), v);
    if (ec != std::errc() || ptr != word->data() + word->size()) return std::nullopt;
    return v;
  }
  // <len>:<bytes>
  std::optional<std::string_view> Bytes() {
    auto n = Int(':');
    if (!n || *n < 0 || static_cast<size_t>(*n) > rest_.size()) return std::nullopt;
    std::string_view bytes = rest_.substr(0, static_cast<size_t>(*n));
    rest_.remove_prefix(static_cast<size_t>(*n));
    return bytes;
  }

 private:
  std::string_view rest_;
};

struct Previous {
  std::optional<Timestamp> time;
  std::optional<std::string> etag;
};

// One entry; `same_value` is set when the value is '=' (the Defender base of the field).
std::optional<NamedBase> ReadEntry(Reader& r, Previous (&previous)[2], bool& same_value) {
  NamedBase b;
  auto side = r.Any();
  if (!side || (*side != 'd' && *side != 's') || !r.Char('.')) return std::nullopt;
  b.side = *side == 'd' ? Side::kDefender : Side::kSentinel;
  Previous& prev = previous[*side == 'd' ? 0 : 1];
  auto field = r.Until(' ');
  if (!field || field->empty()) return std::nullopt;
  b.field = std::string(*field);
  if (r.Char('=')) {
    if (!prev.time || !r.Char(' ')) return std::nullopt;
    b.base.stamp.time = *prev.time;
  } else if (auto t = r.Int(' ')) {
    b.base.stamp.time = Timestamp::FromTicks(*t);
  } else {
    return std::nullopt;
  }
  if (r.Char('=')) {
    if (!prev.etag) return std::nullopt;
    b.base.stamp.etag = *prev.etag;
  } else if (auto e = r.Bytes()) {
    b.base.stamp.etag = std::string(*e);
  } else {
    return std::nullopt;
  }
  if (!r.Char(' ')) return std::nullopt;
  auto own = r.Any();
  if (!own || (*own != '0' && *own != '1')) return std::nullopt;
  b.base.own_write = *own == '1';
  if (!r.Char(' ')) return std::nullopt;
  same_value = r.Char('=');
  if (same_value && b.side != Side::kSentinel) return std::nullopt;
  if (!same_value) {
    auto v = r.Bytes();
    if (!v) return std::nullopt;
    b.base.value = std::string(*v);
  }
  prev.time = b.base.stamp.time;
  prev.etag = b.base.stamp.etag;
  return b;
}

}  // namespace

std::string EncodeBases(const std::vector<NamedBase>& bases) {
  // What is kept of each value, computed once: a digest of a long text costs a SHA-256 over it.
  std::vector<std::string> kept(bases.size());
  for (size_t i = 0; i < bases.size(); ++i) kept[i] = Kept(bases[i].side, bases[i].field, bases[i].base.value);
  auto defender_kept = [&](std::string_view field) -> const std::string* {
    const size_t i = DefenderIndex(bases, field);
    return i < bases.size() ? &kept[i] : nullptr;
  };
  std::string out;
  for (Side side : {Side::kDefender, Side::kSentinel}) {
    const NamedBase* prev = nullptr;
    for (size_t i = 0; i < bases.size(); ++i) {
      const NamedBase& b = bases[i];
      if (b.side != side) continue;
      out += side == Side::kDefender ? "d." : "s.";
      out += b.field;
      out += ' ';
      if (prev && prev->base.stamp.time == b.base.stamp.time) {
        out += '=';
      } else {
        out += std::to_string(b.base.stamp.time.ticks());
      }
      out += ' ';
      if (prev && prev->base.stamp.etag == b.base.stamp.etag) {
        out += '=';
      } else {
        PutBytes(out, b.base.stamp.etag);
      }
      out += b.base.own_write ? " 1 " : " 0 ";
      const std::string* mirror = side == Side::kSentinel ? defender_kept(b.field) : nullptr;
      if (mirror && *mirror == kept[i]) {
        out += '=';
      } else {
        PutBytes(out, kept[i]);
      }
      prev = &b;
    }
  }
  return out;
}

Result<std::vector<NamedBase>> DecodeBases(std::string_view blob) {
  std::vector<NamedBase> bases;
  std::vector<size_t> mirrored;
  Previous previous[2];
  Reader r(blob);
  while (!r.done()) {
    bool same_value = false;
    auto entry = ReadEntry(r, previous, same_value);
    if (!entry) {
      return Status(Code::kDataLoss, "stored bases are not valid (entry " + std::to_string(bases.size() + 1) + ")");
    }
    if (same_value) mirrored.push_back(bases.size());
    bases.push_back(std::move(*entry));
  }
  for (size_t i : mirrored) {
    const std::string* v = DefenderValue(bases, bases[i].field);
    if (!v) return Status(Code::kDataLoss, "stored bases: Sentinel " + bases[i].field + " refers to a missing Defender base");
    bases[i].base.value = *v;
  }
  return bases;
}

void SetBase(std::vector<NamedBase>& bases, Side side, std::string_view field, const Base& base) {
  for (auto& b : bases) {
    if (b.side == side && b.field == field) {
      b.base = base;
      return;
    }
  }
  bases.push_back({side, std::string(field), base});
}

}  // namespace xdrsync::store
