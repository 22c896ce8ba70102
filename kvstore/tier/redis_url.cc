#include "kvstore/tier/redis_url.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace kvstore {
namespace {

// The URL with any password replaced by "***", for error messages.
std::string Redact(absl::string_view url) {
  const size_t scheme = url.find("://");
  const size_t at = url.rfind('@');
  if (scheme == absl::string_view::npos || at == absl::string_view::npos ||
      at < scheme) {
    return std::string(url);
  }
  const absl::string_view userinfo = url.substr(scheme + 3, at - scheme - 3);
  const size_t colon = userinfo.find(':');
  if (colon == absl::string_view::npos) return std::string(url);
  return absl::StrCat(url.substr(0, scheme + 3), userinfo.substr(0, colon),
                      ":***", url.substr(at));
}

absl::Status Bad(absl::string_view url, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("bad Redis URL '", Redact(url), "': ", why,
                   " (expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or "
                   "unix:///PATH/TO/SOCKET[?db=DB])"));
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes %XX escapes; false on a malformed one.
bool PercentDecode(absl::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = HexDigit(in[i + 1]);
    const int lo = HexDigit(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

bool ParseWhole(absl::string_view text, int64_t max, int64_t* out) {
  if (text.empty() || text.size() > 10) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  int64_t v;
  if (!absl::SimpleAtoi(text, &v) || v > max) return false;
  *out = v;
  return true;
}

// Splits "[USER]:PASSWORD@" off the front of `rest`.
absl::Status ParseUserInfo(absl::string_view url, absl::string_view* rest,
                           RedisEndpoint* e) {
  const size_t at = rest->rfind('@');
  if (at == absl::string_view::npos) return absl::OkStatus();
  const absl::string_view userinfo = rest->substr(0, at);
  rest->remove_prefix(at + 1);
  const size_t colon = userinfo.find(':');
  const absl::string_view user = userinfo.substr(0, colon);
  const absl::string_view password = colon == absl::string_view::npos
                                         ? absl::string_view()
                                         : userinfo.substr(colon + 1);
  if (colon == absl::string_view::npos) {
    // redis-py reads "redis://secret@host" as a password alone.
    if (!PercentDecode(user, &e->password)) {
      return Bad(url, "bad %XX escape in the password");
    }
    return absl::OkStatus();
  }
  if (!PercentDecode(user, &e->user)) {
    return Bad(url, "bad %XX escape in the user name");
  }
  if (!PercentDecode(password, &e->password)) {
    return Bad(url, "bad %XX escape in the password");
  }
  return absl::OkStatus();
}

absl::StatusOr<RedisEndpoint> ParseTcp(absl::string_view url,
                                       absl::string_view rest) {
  RedisEndpoint e;
  absl::Status s = ParseUserInfo(url, &rest, &e);
  if (!s.ok()) return s;
  const size_t slash = rest.find('/');
  absl::string_view hostport = rest.substr(0, slash);
  absl::string_view path =
      slash == absl::string_view::npos ? "" : rest.substr(slash + 1);
  if (absl::StartsWith(hostport, "[")) {
    const size_t close = hostport.find(']');
    if (close == absl::string_view::npos) {
      return Bad(url, "unclosed '[' in the IPv6 host");
    }
    e.host = std::string(hostport.substr(1, close - 1));
    hostport.remove_prefix(close + 1);
    if (!hostport.empty() && hostport[0] != ':') {
      return Bad(url, "expected ':PORT' after the IPv6 host");
    }
  } else {
    const size_t colon = hostport.find(':');
    e.host = std::string(hostport.substr(0, colon));
    hostport = colon == absl::string_view::npos ? "" : hostport.substr(colon);
  }
  if (e.host.empty()) return Bad(url, "no host");
  if (!hostport.empty()) {
    int64_t port;
    if (!ParseWhole(hostport.substr(1), 65535, &port) || port == 0) {
      return Bad(url, absl::StrCat("port '", hostport.substr(1),
                                   "' is not a number from 1 to 65535"));
    }
    e.port = static_cast<int>(port);
  }
  if (absl::StrContains(path, '?')) {
    return Bad(url, "query parameters are not supported on redis:// URLs");
  }
  if (!path.empty()) {
    int64_t db;
    if (!ParseWhole(path, INT32_MAX, &db)) {
      return Bad(url,
                 absl::StrCat("database '", path,
                              "' is not a whole number from 0 to 2147483647"));
    }
    e.db = static_cast<int>(db);
  }
  return e;
}

absl::StatusOr<RedisEndpoint> ParseUnix(absl::string_view url,
                                        absl::string_view rest) {
  RedisEndpoint e;
  absl::Status s = ParseUserInfo(url, &rest, &e);
  if (!s.ok()) return s;
  const size_t query = rest.find('?');
  e.unix_path = std::string(rest.substr(0, query));
  if (e.unix_path.empty() || e.unix_path[0] != '/') {
    return Bad(url, "the socket path must be absolute (unix:///PATH)");
  }
  if (query == absl::string_view::npos) return e;
  absl::string_view params = rest.substr(query + 1);
  if (!absl::ConsumePrefix(&params, "db=")) {
    return Bad(url, "the only query parameter is db=DB");
  }
  int64_t db;
  if (!ParseWhole(params, INT32_MAX, &db)) {
    return Bad(url,
               absl::StrCat("database '", params,
                            "' is not a whole number from 0 to 2147483647"));
  }
  e.db = static_cast<int>(db);
  return e;
}

}  // namespace

std::string RedisEndpoint::Describe() const {
  const std::string who =
      user.empty() ? (password.empty() ? "" : ":***@") : user + ":***@";
  if (!unix_path.empty()) {
    return absl::StrCat("unix://", who, unix_path, "?db=", db);
  }
  const bool v6 = absl::StrContains(host, ':');
  return absl::StrCat("redis://", who, v6 ? "[" : "", host, v6 ? "]" : "", ":",
                      port, "/", db);
}

absl::StatusOr<RedisEndpoint> ParseRedisUrl(absl::string_view url) {
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "redis://")) return ParseTcp(url, rest);
  if (absl::ConsumePrefix(&rest, "unix://")) return ParseUnix(url, rest);
  if (absl::StartsWith(url, "rediss://")) {
    return Bad(url, "TLS (rediss://) is not supported");
  }
  if (url.empty()) return Bad(url, "it is empty");
  return Bad(url, "unknown scheme");
}

}  // namespace kvstore
