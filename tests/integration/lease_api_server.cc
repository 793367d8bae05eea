// A stand-in for the part of the Kubernetes API server that xdrsync's leases use, for tests (no API
// server runs in CI): coordination.k8s.io/v1 Leases in namespaces, with the API server's rules that
// matter for a lock: create answers 409 when the lease exists, update needs the current
// metadata.resourceVersion (409 otherwise) and every change gets a new one; a bearer token is
// required. 127.0.0.1 only; one connection at a time, each closed after its reply.
//
//   lease_api_server --token TOKEN      prints "listening on http://127.0.0.1:PORT"
//   GET /_leases                        every lease (for assertions), no token needed
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

using nlohmann::json;

struct Reply {
  int status;
  json body;
};

json StatusObject(int code, const std::string& reason, const std::string& message) {
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
          {"reason", reason}, {"message", message}, {"code", code}};
}

class LeaseStore {
 public:
  explicit LeaseStore(std::string token) : token_(std::move(token)) {}

  Reply Handle(const std::string& method, const std::string& path, const std::string& auth, const std::string& body) {
    if (method == "GET" && path == "/_leases") {
      json all = json::array();
      for (const auto& [key, lease] : leases_) all.push_back(lease);
      return {200, {{"items", all}}};
    }
    if (auth != "Bearer " + token_) return {401, StatusObject(401, "Unauthorized", "Unauthorized")};
    // /apis/coordination.k8s.io/v1/namespaces/{ns}/leases[/{name}]
    std::vector<std::string> seg;
    for (size_t start = 1; start <= path.size();) {
      size_t end = path.find('/', start);
      if (end == std::string::npos) end = path.size();
      seg.push_back(path.substr(start, end - start));
      start = end + 1;
    }
    if (seg.size() < 6 || seg[0] != "apis" || seg[1] != "coordination.k8s.io" || seg[2] != "v1" ||
        seg[3] != "namespaces" || seg[5] != "leases") {
      return {404, StatusObject(404, "NotFound", "the server could not find the requested resource")};
    }
    const std::string ns = seg[4];
    if (seg.size() == 6 && method == "POST") return Create(ns, body);
    if (seg.size() != 7) return {405, StatusObject(405, "MethodNotAllowed", "method not allowed")};
    const std::string key = ns + "/" + seg[6];
    auto it = leases_.find(key);
    if (it == leases_.end()) {
      return {404, StatusObject(404, "NotFound", "leases.coordination.k8s.io \"" + seg[6] + "\" not found")};
    }
    if (method == "GET") return {200, it->second};
    if (method == "PUT") return Update(it->second, body);
    return {405, StatusObject(405, "MethodNotAllowed", "method not allowed")};
  }

 private:
  Reply Create(const std::string& ns, const std::string& body) {
    json lease = json::parse(body, nullptr, false);
    if (!lease.is_object() || !lease.contains("metadata")) return {400, StatusObject(400, "BadRequest", "not a Lease")};
    const std::string name = lease["metadata"].value("name", "");
    if (leases_.count(ns + "/" + name)) {
      return {409, StatusObject(409, "AlreadyExists", "leases.coordination.k8s.io \"" + name + "\" already exists")};
    }
    lease["metadata"]["namespace"] = ns;
    lease["metadata"]["resourceVersion"] = std::to_string(++version_);
    leases_[ns + "/" + name] = lease;
    return {201, lease};
  }

  Reply Update(json& current, const std::string& body) {
    json lease = json::parse(body, nullptr, false);
    if (!lease.is_object() || !lease.contains("metadata")) return {400, StatusObject(400, "BadRequest", "not a Lease")};
    if (lease["metadata"].value("resourceVersion", "") != current["metadata"].value("resourceVersion", "")) {
      return {409, StatusObject(409, "Conflict", "the object has been modified; please apply your changes to the "
                                                 "latest version and try again")};
    }
    lease["metadata"]["resourceVersion"] = std::to_string(++version_);
    current = lease;
    return {200, lease};
  }

  std::string token_;
  std::map<std::string, json> leases_;
  long version_ = 100;
};

std::string Header(const std::string& head, const std::string& lower_name) {
  std::string lower = head;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t at = lower.find("\r\n" + lower_name + ":");
  if (at == std::string::npos) return "";
  size_t start = at + 3 + lower_name.size();
  while (start < head.size() && head[start] == ' ') ++start;
  return head.substr(start, head.find("\r\n", start) - start);
}

void Serve(int fd, LeaseStore& store) {
  std::string raw;
  char buf[8192];
  size_t head_end = std::string::npos;
  while (head_end == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    raw.append(buf, static_cast<size_t>(n));
    head_end = raw.find("\r\n\r\n");
  }
  const std::string head = raw.substr(0, head_end);
  const size_t length = std::strtoul(Header(head, "content-length").c_str(), nullptr, 10);
  while (raw.size() < head_end + 4 + length) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    raw.append(buf, static_cast<size_t>(n));
  }
  const std::string method = head.substr(0, head.find(' '));
  std::string target = head.substr(method.size() + 1, head.find(' ', method.size() + 1) - method.size() - 1);
  const std::string path = target.substr(0, target.find('?'));
  const Reply r = store.Handle(method, path, Header(head, "authorization"), raw.substr(head_end + 4, length));
  const std::string body = r.body.dump();
  const std::string out = "HTTP/1.1 " + std::to_string(r.status) + " X\r\nContent-Type: application/json\r\n" +
                          "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  (void)::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
}

}  // namespace

int main(int argc, char** argv) {
  std::string token;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--token") == 0) token = argv[i + 1];
  }
  if (token.empty()) {
    std::fprintf(stderr, "lease_api_server: --token TOKEN is required\n");
    return 64;
  }
  ::signal(SIGPIPE, SIG_IGN);
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 64) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("lease_api_server: bind");
    return 1;
  }
  std::printf("listening on http://127.0.0.1:%d\n", ntohs(addr.sin_port));
  std::fflush(stdout);
  LeaseStore store(token);
  for (;;) {
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    Serve(fd, store);
    ::close(fd);
  }
}
