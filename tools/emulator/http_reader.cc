#include "http_reader.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "url_codec.h"

namespace xdrsync::emulator {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

bool HttpReader::Fill() {
  char chunk[16384];
  ssize_t n = stream_.Read(chunk, sizeof(chunk));
  if (n <= 0) return false;
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

bool HttpReader::ReadExact(size_t count, std::string* out) {
  while (buffer_.size() < count) {
    if (!Fill()) return false;
  }
  out->append(buffer_, 0, count);
  buffer_.erase(0, count);
  return true;
}

bool HttpReader::ReadLine(std::string* line) {
  for (;;) {
    size_t pos = buffer_.find("\r\n");
    if (pos != std::string::npos) {
      *line = buffer_.substr(0, pos);
      buffer_.erase(0, pos + 2);
      return true;
    }
    if (buffer_.size() > kMaxHeaderBytes || !Fill()) return false;
  }
}

bool HttpReader::ReadChunked(std::string* body) {
  for (;;) {
    std::string size_line;
    if (!ReadLine(&size_line)) return false;
    size_t size = std::strtoul(size_line.c_str(), nullptr, 16);
    if (size == 0) {
      std::string trailer;
      do {
        if (!ReadLine(&trailer)) return false;
      } while (!trailer.empty());
      return true;
    }
    if (body->size() + size > kMaxBodyBytes) return false;
    std::string crlf;
    if (!ReadExact(size, body) || !ReadExact(2, &crlf)) return false;
  }
}

HttpReader::Result HttpReader::Next(HttpRequest* request) {
  size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (buffer_.size() > kMaxHeaderBytes) return Result::kBad;
    if (!Fill()) return buffer_.empty() ? Result::kClosed : Result::kBad;
  }
  std::string head = buffer_.substr(0, header_end);
  buffer_.erase(0, header_end + 4);

  size_t line_end = head.find("\r\n");
  std::string request_line = head.substr(0, line_end);
  size_t sp1 = request_line.find(' ');
  size_t sp2 = request_line.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1) return Result::kBad;
  *request = HttpRequest{};
  request->method = request_line.substr(0, sp1);
  request->target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t qmark = request->target.find('?');
  request->path = PercentDecode(request->target.substr(0, qmark), false);
  if (qmark != std::string::npos) request->query = request->target.substr(qmark + 1);

  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t next = head.find("\r\n", pos);
    if (next == std::string::npos) next = head.size();
    std::string line = head.substr(pos, next - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      request->headers[Lower(Trim(line.substr(0, colon)))] = Trim(line.substr(colon + 1));
    }
    pos = next + 2;
  }

  if (Lower(request->Header("expect")) == "100-continue") {
    static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    (void)stream_.WriteAll(kContinue, sizeof(kContinue) - 1);
  }
  if (Lower(request->Header("transfer-encoding")).find("chunked") != std::string::npos) {
    return ReadChunked(&request->body) ? Result::kOk : Result::kBad;
  }
  std::string length = request->Header("content-length");
  if (!length.empty()) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(length.c_str(), &end, 10);
    if (end == length.c_str() || n > kMaxBodyBytes) return Result::kBad;
    if (!ReadExact(static_cast<size_t>(n), &request->body)) return Result::kBad;
  }
  return Result::kOk;
}

}  // namespace xdrsync::emulator
