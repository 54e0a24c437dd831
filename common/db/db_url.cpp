#include "db/db_url.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace amarcord::db {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s, const char* what) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      const int hi = i + 1 < s.size() ? hex_value(s[i + 1]) : -1;
      const int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        throw DbUrlError(fmt::format("bad percent-encoding in the {} of the database URL", what));
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  if (out.find('\0') != std::string::npos) {
    throw DbUrlError(fmt::format("the {} of the database URL contains a NUL character", what));
  }
  return out;
}

// libpq conninfo value: single-quoted, backslash escapes.
std::string pq_quote(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

// SOCI's MySQL connect-string parser uses the same quoting rules.
const auto& mysql_quote = pq_quote;

// SOCI's SQLite backend splits on spaces and understands double quotes only.
std::string sqlite_quote(const std::string& v) {
  if (v.find_first_of(" \"=") == std::string::npos) return v;
  if (v.find('"') != std::string::npos) {
    throw DbUrlError("SQLite database paths must not contain double quotes");
  }
  return "\"" + v + "\"";
}

// Parameters passed through to the driver; anything else is refused so a
// typo does not silently connect with unexpected settings.
const std::set<std::string>& pq_params() {
  static const std::set<std::string> s = {"sslmode", "sslrootcert",          "sslcert",
                                          "sslkey",  "connect_timeout",      "application_name",
                                          "options", "target_session_attrs", "host"};
  return s;
}
const std::set<std::string>& mysql_params() {
  static const std::set<std::string> s = {"charset",      "unix_socket",   "connect_timeout",
                                          "read_timeout", "write_timeout", "sslca",
                                          "sslcert",      "sslkey"};
  return s;
}

}  // namespace

const char* backend_name(Backend b) {
  switch (b) {
    case Backend::sqlite:
      return "sqlite3";
    case Backend::postgresql:
      return "postgresql";
    case Backend::mysql:
      return "mysql";
  }
  return "?";
}

DbUrl parse_db_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    throw DbUrlError("database URL must look like sqlite:///path.db or postgresql://user@host/db");
  }
  std::string scheme = url.substr(0, scheme_end);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  const std::string dialect = scheme.substr(0, scheme.find('+'));  // "+driver" is ignored
  std::string rest = url.substr(scheme_end + 3);

  DbUrl out;
  if (dialect == "sqlite") {
    out.backend = Backend::sqlite;
    // sqlite:///rel/path -> "rel/path"; sqlite:////abs -> "/abs"; sqlite:// -> memory.
    if (rest.empty()) {
      out.path = ":memory:";
      return out;
    }
    if (rest.front() != '/') {
      throw DbUrlError(
          "SQLite URLs have three slashes: sqlite:///relative.db or sqlite:////abs.db");
    }
    std::string path = rest.substr(1);
    if (auto q = path.find('?'); q != std::string::npos) {
      throw DbUrlError("SQLite URL parameters are not supported: " + path.substr(q));
    }
    out.path = path.empty() ? ":memory:" : percent_decode(path, "path");
    return out;
  }
  if (dialect == "postgresql" || dialect == "postgres") {
    out.backend = Backend::postgresql;
  } else if (dialect == "mysql" || dialect == "mariadb") {
    out.backend = Backend::mysql;
  } else {
    throw DbUrlError("unsupported database \"" + dialect + "\" (use sqlite, postgresql or mysql)");
  }

  std::string query;
  if (auto q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string authority = rest;
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    authority = rest.substr(0, slash);
    out.database = percent_decode(rest.substr(slash + 1), "database name");
  }
  // user:password@host:port; the password may contain '@' only percent-encoded,
  // but be lenient and split at the last '@' as SQLAlchemy does.
  std::string hostport = authority;
  if (auto at = authority.rfind('@'); at != std::string::npos) {
    const std::string userinfo = authority.substr(0, at);
    hostport = authority.substr(at + 1);
    if (auto colon = userinfo.find(':'); colon != std::string::npos) {
      out.user = percent_decode(userinfo.substr(0, colon), "user name");
      out.password = percent_decode(userinfo.substr(colon + 1), "password");
    } else {
      out.user = percent_decode(userinfo, "user name");
    }
  }
  if (!hostport.empty() && hostport.front() == '[') {  // [ipv6]:port
    const auto close = hostport.find(']');
    if (close == std::string::npos) throw DbUrlError("unterminated [IPv6] host in database URL");
    out.host = hostport.substr(1, close - 1);
    hostport = hostport.substr(close + 1);
    if (!hostport.empty() && hostport.front() != ':') throw DbUrlError("bad host in database URL");
    hostport = hostport.empty() ? "" : hostport.substr(1);
    if (!hostport.empty()) hostport = ":" + hostport;
    hostport = "x" + hostport;  // reuse the port parsing below
  }
  if (auto colon = hostport.rfind(':'); colon != std::string::npos) {
    const std::string port = hostport.substr(colon + 1);
    unsigned long p = 0;
    if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos) {
      throw DbUrlError("port in database URL is not a number: \"" + port + "\"");
    }
    try {
      std::size_t used = 0;
      p = std::stoul(port, &used);
      if (used != port.size()) throw std::invalid_argument("junk");
    } catch (const std::exception&) {
      throw DbUrlError("port in database URL is not a number: \"" + port + "\"");
    }
    if (p == 0 || p > 65535) throw DbUrlError("port in database URL out of range: " + port);
    out.port = static_cast<std::uint16_t>(p);
    if (out.host.empty()) out.host = hostport.substr(0, colon);
  } else if (out.host.empty()) {
    out.host = hostport;
  }
  if (out.database.empty()) throw DbUrlError("database URL names no database (…/dbname)");

  const auto& allowed = out.backend == Backend::postgresql ? pq_params() : mysql_params();
  std::size_t pos = 0;
  while (pos < query.size()) {
    auto amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    const std::string item = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (item.empty()) continue;
    const auto eq = item.find('=');
    const std::string key = percent_decode(item.substr(0, eq), "parameters");
    const std::string value =
        eq == std::string::npos ? "" : percent_decode(item.substr(eq + 1), "parameters");
    if (!allowed.count(key)) {
      throw DbUrlError("unsupported database URL parameter \"" + key + "\"");
    }
    out.params[key] = value;
  }
  return out;
}

std::string DbUrl::soci_connect_string() const {
  switch (backend) {
    case Backend::sqlite:
      return "db=" + sqlite_quote(path);
    case Backend::postgresql: {
      std::string s = "dbname=" + pq_quote(database);
      if (!user.empty()) s += " user=" + pq_quote(user);
      if (!password.empty()) s += " password=" + pq_quote(password);
      if (!host.empty()) s += " host=" + pq_quote(host);
      if (port) s += " port=" + std::to_string(*port);
      if (!params.count("connect_timeout")) s += " connect_timeout=10";
      for (const auto& [k, v] : params)
        s += " " + k + "=" + pq_quote(v);
      return s;
    }
    case Backend::mysql: {
      std::string s = "db=" + mysql_quote(database);
      if (!user.empty()) s += " user=" + mysql_quote(user);
      if (!password.empty()) s += " password=" + mysql_quote(password);
      if (!host.empty()) s += " host=" + mysql_quote(host);
      if (port) s += " port=" + std::to_string(*port);
      if (!params.count("charset")) s += " charset=utf8mb4";
      if (!params.count("connect_timeout")) s += " connect_timeout=10";
      for (const auto& [k, v] : params)
        s += " " + k + "=" + mysql_quote(v);
      return s;
    }
  }
  return {};
}

std::string DbUrl::redacted() const {
  if (backend == Backend::sqlite) return "sqlite:///" + path;
  std::string s = backend == Backend::postgresql ? "postgresql://" : "mysql://";
  if (!user.empty()) s += user + (password.empty() ? "" : ":***") + "@";
  s += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port) s += ":" + std::to_string(*port);
  s += "/" + database;
  return s;
}

}  // namespace amarcord::db
