#include <catch2/catch.hpp>

#include <string>

#include "db/db_url.hpp"

using amarcord::db::Backend;
using amarcord::db::backend_name;
using amarcord::db::DbUrl;
using amarcord::db::DbUrlError;
using amarcord::db::parse_db_url;

TEST_CASE("backend names are SOCI's", "[db_url]") {
  CHECK(std::string(backend_name(Backend::sqlite)) == "sqlite3");
  CHECK(std::string(backend_name(Backend::postgresql)) == "postgresql");
  CHECK(std::string(backend_name(Backend::mysql)) == "mysql");
}

TEST_CASE("SQLite URLs", "[db_url]") {
  SECTION("absolute path with a driver") {
    const DbUrl u = parse_db_url("sqlite+aiosqlite:////abs/path.db");
    CHECK(u.backend == Backend::sqlite);
    CHECK(u.path == "/abs/path.db");
    CHECK(u.soci_connect_string() == "db=/abs/path.db");
  }
  SECTION("relative path") {
    const DbUrl u = parse_db_url("sqlite:///rel/path.db");
    CHECK(u.backend == Backend::sqlite);
    CHECK(u.path == "rel/path.db");
    CHECK(u.soci_connect_string() == "db=rel/path.db");
    CHECK(u.redacted() == "sqlite:///rel/path.db");
  }
  SECTION("in memory") {
    const DbUrl u = parse_db_url("sqlite://");
    CHECK(u.backend == Backend::sqlite);
    CHECK(u.path == ":memory:");
    CHECK(u.soci_connect_string() == "db=:memory:");
    CHECK(parse_db_url("sqlite:///").path == ":memory:");
  }
  SECTION("upper-case scheme") {
    CHECK(parse_db_url("SQLITE:///x.db").path == "x.db");
  }
  SECTION("percent-encoded path and a space") {
    const DbUrl u = parse_db_url("sqlite:////tmp/my%20dir/a.db");
    CHECK(u.path == "/tmp/my dir/a.db");
    CHECK(u.soci_connect_string() == "db=\"/tmp/my dir/a.db\"");
    CHECK(parse_db_url("sqlite:////tmp/my dir/a.db").soci_connect_string() ==
          "db=\"/tmp/my dir/a.db\"");
  }
  SECTION("a double quote cannot be passed to SOCI") {
    const DbUrl u = parse_db_url("sqlite:////tmp/a%22b.db");
    CHECK(u.path == "/tmp/a\"b.db");
    CHECK_THROWS_AS(u.soci_connect_string(), DbUrlError);
  }
  SECTION("two slashes") {
    CHECK_THROWS_AS(parse_db_url("sqlite://rel.db"), DbUrlError);
  }
  SECTION("parameters") {
    CHECK_THROWS_AS(parse_db_url("sqlite:///x.db?mode=ro"), DbUrlError);
  }
}

TEST_CASE("MySQL URLs", "[db_url]") {
  for (const char* scheme :
       {"mysql+pymysql", "mysql+asyncmy", "mysql", "mariadb", "mariadb+mariadbconnector"}) {
    INFO(scheme);
    const DbUrl u = parse_db_url(std::string(scheme) + "://u:p@h:3306/db");
    CHECK(u.backend == Backend::mysql);
    CHECK(u.user == "u");
    CHECK(u.password == "p");
    CHECK(u.host == "h");
    REQUIRE(u.port.has_value());
    CHECK(*u.port == 3306);
    CHECK(u.database == "db");
    CHECK(u.params.empty());
    CHECK(u.soci_connect_string() ==
          "db='db' user='u' password='p' host='h' port=3306 charset=utf8mb4 connect_timeout=10");
    CHECK(u.redacted() == "mysql://u:***@h:3306/db");
  }
}

TEST_CASE("MySQL query parameters", "[db_url]") {
  SECTION("charset replaces the default") {
    const DbUrl u = parse_db_url("mysql+asyncmy://u:p@h/db?charset=utf8mb4");
    CHECK(u.params == std::map<std::string, std::string>{{"charset", "utf8mb4"}});
    CHECK_FALSE(u.port.has_value());
    CHECK(u.soci_connect_string() ==
          "db='db' user='u' password='p' host='h' connect_timeout=10 charset='utf8mb4'");
  }
  SECTION("unix socket") {
    const DbUrl u = parse_db_url("mysql://u@localhost/db?unix_socket=/run/mysqld/mysqld.sock");
    CHECK(u.params.at("unix_socket") == "/run/mysqld/mysqld.sock");
    CHECK(u.soci_connect_string() ==
          "db='db' user='u' host='localhost' charset=utf8mb4 connect_timeout=10 "
          "unix_socket='/run/mysqld/mysqld.sock'");
  }
  SECTION("several parameters") {
    const DbUrl u = parse_db_url("mysql://u@h/db?charset=latin1&connect_timeout=3&read_timeout=30");
    CHECK(u.params.size() == 3);
    CHECK(u.params.at("connect_timeout") == "3");
    CHECK(u.soci_connect_string() ==
          "db='db' user='u' host='h' charset='latin1' connect_timeout='3' read_timeout='30'");
  }
  SECTION("unknown parameters are refused") {
    CHECK_THROWS_AS(parse_db_url("mysql://u@h/db?sslmode=require"), DbUrlError);
    CHECK_THROWS_AS(parse_db_url("mysql://u@h/db?charset=utf8mb4&bogus=1"), DbUrlError);
  }
}

TEST_CASE("PostgreSQL URLs", "[db_url]") {
  SECTION("full URL with a driver") {
    const DbUrl u = parse_db_url("postgresql+asyncpg://u:p@h:5432/db");
    CHECK(u.backend == Backend::postgresql);
    CHECK(u.user == "u");
    CHECK(u.password == "p");
    CHECK(u.host == "h");
    REQUIRE(u.port.has_value());
    CHECK(*u.port == 5432);
    CHECK(u.database == "db");
    CHECK(u.soci_connect_string() ==
          "dbname='db' user='u' password='p' host='h' port=5432 connect_timeout=10");
    CHECK(u.redacted() == "postgresql://u:***@h:5432/db");
  }
  SECTION("no password, no port") {
    const DbUrl u = parse_db_url("postgresql://u@h/db");
    CHECK(u.backend == Backend::postgresql);
    CHECK(u.user == "u");
    CHECK(u.password.empty());
    CHECK(u.host == "h");
    CHECK_FALSE(u.port.has_value());
    CHECK(u.database == "db");
    CHECK(u.soci_connect_string() == "dbname='db' user='u' host='h' connect_timeout=10");
    CHECK(u.redacted() == "postgresql://u@h/db");
  }
  SECTION("no user") {
    const DbUrl u = parse_db_url("postgres://dbhost/amarcord");
    CHECK(u.backend == Backend::postgresql);
    CHECK(u.user.empty());
    CHECK(u.host == "dbhost");
    CHECK(u.database == "amarcord");
    CHECK(u.soci_connect_string() == "dbname='amarcord' host='dbhost' connect_timeout=10");
  }
  SECTION("IPv6 host") {
    const DbUrl u = parse_db_url("postgresql://u:p@[::1]:5432/db");
    CHECK(u.host == "::1");
    REQUIRE(u.port.has_value());
    CHECK(*u.port == 5432);
    CHECK(u.database == "db");
    CHECK(u.soci_connect_string() ==
          "dbname='db' user='u' password='p' host='::1' port=5432 connect_timeout=10");
    CHECK(u.redacted() == "postgresql://u:***@[::1]:5432/db");
    const DbUrl no_port = parse_db_url("postgresql://u@[fe80::1]/db");
    CHECK(no_port.host == "fe80::1");
    CHECK_FALSE(no_port.port.has_value());
  }
  SECTION("percent-encoded user, password and database") {
    const DbUrl u = parse_db_url("postgresql://us%65r:p%40ss%3Aword@h/d%62");
    CHECK(u.user == "user");
    CHECK(u.password == "p@ss:word");
    CHECK(u.database == "db");
    CHECK(u.host == "h");
  }
  SECTION("an unencoded '@' in the password splits at the last '@'") {
    const DbUrl u = parse_db_url("postgresql://u:p@ss@h/db");
    CHECK(u.password == "p@ss");
    CHECK(u.host == "h");
  }
  SECTION("quotes and backslashes are escaped in the connect string") {
    const DbUrl u = parse_db_url("postgresql://o%27brien:it%27s%5C@h/my%20db");
    CHECK(u.user == "o'brien");
    CHECK(u.password == "it's\\");
    CHECK(u.database == "my db");
    CHECK(u.soci_connect_string() ==
          "dbname='my db' user='o\\'brien' password='it\\'s\\\\' host='h' connect_timeout=10");
    const DbUrl m = parse_db_url("mysql://u:a%27b@h/db");
    CHECK(m.soci_connect_string() ==
          "db='db' user='u' password='a\\'b' host='h' charset=utf8mb4 connect_timeout=10");
  }
  SECTION("query parameters") {
    const DbUrl u = parse_db_url("postgresql://u@h/db?sslmode=require");
    CHECK(u.params == std::map<std::string, std::string>{{"sslmode", "require"}});
    CHECK(u.soci_connect_string() ==
          "dbname='db' user='u' host='h' connect_timeout=10 sslmode='require'");
    const DbUrl t = parse_db_url("postgresql://u@h/db?connect_timeout=3&application_name=a%20b");
    CHECK(t.params.at("application_name") == "a b");
    CHECK(t.soci_connect_string() ==
          "dbname='db' user='u' host='h' application_name='a b' connect_timeout='3'");
    CHECK_THROWS_AS(parse_db_url("postgresql://u@h/db?charset=utf8"), DbUrlError);
    CHECK_THROWS_AS(parse_db_url("postgresql://u@h/db?sslmode=require&foo=bar"), DbUrlError);
  }
}

TEST_CASE("redacted never shows the password", "[db_url]") {
  for (const char* url : {"postgresql://admin:s3cr3t@db.example:5432/amarcord",
                          "mysql+pymysql://admin:s3cr3t@db.example/amarcord?charset=utf8mb4",
                          "postgresql://admin:s3cr3t@[2001:db8::1]/amarcord"}) {
    INFO(url);
    const std::string r = parse_db_url(url).redacted();
    CHECK(r.find("s3cr3t") == std::string::npos);
    CHECK(r.find(":***@") != std::string::npos);
    CHECK(r.find("admin") != std::string::npos);
    CHECK(r.find("amarcord") != std::string::npos);
  }
}

TEST_CASE("invalid database URLs", "[db_url]") {
  for (const char* url : {
           "",
           "amarcord.db",                      // no scheme
           "postgresql:/u@h/db",               // no "://"
           "oracle://u:p@h/db",                // unsupported dialect
           "mssql+pyodbc://u:p@h/db",          // unsupported dialect
           "postgresql://u:p@h:abc/db",        // bad port
           "postgresql://u:p@h:/db",           // empty port
           "postgresql://u:p@h:0/db",          // port 0
           "postgresql://u:p@h:+5432/db",      // sign before the port
           "postgresql://u:p@h:65536/db",      // port too large
           "mysql://u:p@h:3306x/db",           // junk after the port
           "postgresql://u:p@[::1]x:5432/db",  // junk after an IPv6 host
           "postgresql://u:p@[::1:5432/db",    // unterminated IPv6 host
           "postgresql://u:p@h:5432",          // missing database
           "postgresql://u:p@h:5432/",         // empty database
           "mysql://u:p@h",                    // missing database
           "postgresql://u:p%4@h/db",          // truncated percent escape
           "postgresql://u:p%zz@h/db",         // bad percent escape
           "postgresql://u%@h/db",             // bad percent escape in the user
           "postgresql://u:p@h/d%00b",         // NUL in the database name
           "sqlite://rel.db",                  // two slashes
           "sqlite:///bad%2",                  // bad percent escape in the path
           "postgresql://u@h/db?sslmode=a%2",  // bad percent escape in a parameter
       }) {
    INFO("url: " << url);
    CHECK_THROWS_AS(parse_db_url(url), DbUrlError);
  }
}

TEST_CASE("DbUrlError is an invalid_argument with a message", "[db_url]") {
  try {
    parse_db_url("oracle://u:p@h/db");
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("oracle") != std::string::npos);
  }
}
