#include "support/test_db.hpp"

#include <soci/soci.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>

#include "db/migrator.hpp"
#include "db/session_pool.hpp"
#include "support/server_process.hpp"

namespace amarcord::test {
namespace {

std::string required_env(const char* name, const char* why) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    throw std::runtime_error(std::string(name) + " is not set: " + why +
                             " (scripts/test.sh starts the database servers and sets it)");
  }
  return v;
}

db::DbUrl admin_url(db::Backend engine) {
  if (engine == db::Backend::postgresql) {
    return db::parse_db_url(
        required_env("AMARCORD_TEST_PG_URL", "the PostgreSQL tests need a server"));
  }
  return db::parse_db_url(required_env("AMARCORD_TEST_MYSQL_URL", "the MySQL tests need a server"));
}

std::string url_with_database(const db::DbUrl& admin, const std::string& name) {
  std::string s = admin.backend == db::Backend::postgresql ? "postgresql://" : "mysql://";
  s += admin.user;
  if (!admin.password.empty()) s += ":" + admin.password;
  s += "@" + admin.host;
  if (admin.port) s += ":" + std::to_string(*admin.port);
  return s + "/" + name;
}

std::unique_ptr<soci::session> admin_session(db::Backend engine) {
  const auto url = admin_url(engine);
  return std::make_unique<soci::session>(db::backend_name(url.backend), url.soci_connect_string());
}

}  // namespace

db::Backend engine_under_test() {
  const char* e = std::getenv("AMARCORD_TEST_ENGINE");
  const std::string name = e == nullptr ? "sqlite" : e;
  if (name == "sqlite") return db::Backend::sqlite;
  if (name == "postgresql") return db::Backend::postgresql;
  if (name == "mysql") return db::Backend::mysql;
  throw std::runtime_error("AMARCORD_TEST_ENGINE must be sqlite, postgresql or mysql, not " + name);
}

const char* engine_name(db::Backend b) {
  return b == db::Backend::sqlite       ? "sqlite"
         : b == db::Backend::postgresql ? "postgresql"
                                        : "mysql";
}

TestDatabase::TestDatabase(db::Backend engine) : engine_(engine) {
  static std::atomic<int> counter{0};
  name_ = "amarcord_t" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1));
  if (engine == db::Backend::sqlite) {
    dir_ = make_temp_dir("db");
    url_ = "sqlite:///" + (dir_ / "amarcord.db").string();
    return;
  }
  auto admin = admin_session(engine);
  *admin << "CREATE DATABASE " + name_;
  url_ = url_with_database(admin_url(engine), name_);
}

TestDatabase::~TestDatabase() {
  try {
    if (engine_ == db::Backend::sqlite) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      return;
    }
    auto admin = admin_session(engine_);
    if (engine_ == db::Backend::postgresql) {
      *admin << "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)";
    } else {
      *admin << "DROP DATABASE IF EXISTS " + name_;
    }
  } catch (const std::exception&) {
    // Leftover test databases are harmless; a failing drop must not mask
    // the test's own result.
  }
}

std::unique_ptr<soci::session> TestDatabase::connect() const {
  const auto url = db::parse_db_url(url_);
  auto s =
      std::make_unique<soci::session>(db::backend_name(url.backend), url.soci_connect_string());
  db::configure_session(*s, url.backend);
  return s;
}

void TestDatabase::exec_script(const std::string& sql) const {
  auto s = connect();
  for (const auto& st : db::split_statements(sql))
    *s << st.sql;
}

long long query_int(soci::session& s, const std::string& sql) {
  long long v = 0;
  s << sql, soci::into(v);
  return v;
}

std::string query_text(soci::session& s, const std::string& sql) {
  std::string v;
  soci::indicator ind = soci::i_ok;
  s << sql, soci::into(v, ind);
  return ind == soci::i_null ? "NULL" : v;
}

void control_database_server(db::Backend engine, const std::string& action) {
  const std::string script = std::string(AMARCORD_SOURCE_DIR) + "/scripts/test-db-control.sh";
  const std::string cmd = script + " " + engine_name(engine) + " " + action + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
}

}  // namespace amarcord::test
