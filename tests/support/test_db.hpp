// Fresh databases for end-to-end tests on each engine. The engine comes from
// AMARCORD_TEST_ENGINE (sqlite, postgresql, mysql); PostgreSQL and MySQL need
// an admin URL in AMARCORD_TEST_PG_URL / AMARCORD_TEST_MYSQL_URL. A missing
// server is a test failure, never a silent skip.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "db/db_url.hpp"

namespace soci {
class session;
}

namespace amarcord::test {

db::Backend engine_under_test();
const char* engine_name(db::Backend b);

class TestDatabase {
 public:
  // Creates an empty database (a new file, or CREATE DATABASE on the server).
  explicit TestDatabase(db::Backend engine);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  db::Backend engine() const { return engine_; }
  // In the original's SQLAlchemy form, as the server takes it.
  const std::string& url() const { return url_; }
  // A direct session for arranging data and checking effects; configured
  // like the server's (foreign keys on SQLite, ANSI quotes on MySQL).
  std::unique_ptr<soci::session> connect() const;
  // Runs SQL statements separated as in schema files.
  void exec_script(const std::string& sql) const;
  std::filesystem::path dir() const { return dir_; }

 private:
  db::Backend engine_;
  std::string name_;
  std::string url_;
  std::filesystem::path dir_;
};

// Scalar helpers for assertions.
long long query_int(soci::session& s, const std::string& sql);
std::string query_text(soci::session& s, const std::string& sql);

// Runs scripts/test-db-control.sh <engine> <action> (stop/start/restart the
// database server); throws when the script fails.
void control_database_server(db::Backend engine, const std::string& action);

}  // namespace amarcord::test
