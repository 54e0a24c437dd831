// The original's database URLs (SQLAlchemy form) and their SOCI equivalents.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace amarcord::db {

enum class Backend { sqlite, postgresql, mysql };

const char* backend_name(Backend b);  // "sqlite3", "postgresql", "mysql" (SOCI's names)

struct DbUrl {
  Backend backend = Backend::sqlite;
  // sqlite: the file path (":memory:" for an in-memory database)
  std::string path;
  // postgresql / mysql
  std::string user;
  std::string password;
  std::string host;
  std::optional<std::uint16_t> port;
  std::string database;
  std::map<std::string, std::string> params;  // query-string parameters

  // Connection string for soci::session(backend_name(backend), ...).
  std::string soci_connect_string() const;
  // The URL with the password replaced by "***", for logs and errors.
  std::string redacted() const;
};

class DbUrlError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Accepts sqlite:///rel/path, sqlite:////abs/path, sqlite+aiosqlite:///...,
// postgresql[+driver]://user:pass@host:port/db?params,
// mysql[+driver]://user:pass@host:port/db?params (also mariadb://).
// Percent-encoded user, password and database names are decoded.
DbUrl parse_db_url(const std::string& url);

}  // namespace amarcord::db
