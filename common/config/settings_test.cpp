#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/settings.hpp"

namespace {

namespace fs = std::filesystem;
using amarcord::config::Command;
using amarcord::config::ConfigError;
using amarcord::config::Invocation;
using amarcord::config::parse_byte_size;
using amarcord::config::parse_duration;
using amarcord::config::parse_invocation;
using Env = std::map<std::string, std::string>;
using namespace std::chrono_literals;

// A private directory under the system temp directory, removed at the end.
class TempDir {
 public:
  TempDir() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("amarcord-settings-test-" + std::to_string(rd()) + "-" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& content) const {
    const fs::path p = path_ / name;
    std::ofstream out(p);
    out << content;
    return p.string();
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

Invocation run(const std::vector<std::string>& args, const Env& env = {}) {
  std::vector<const char*> argv{"amarcord-server"};
  for (const auto& a : args)
    argv.push_back(a.c_str());
  return parse_invocation(static_cast<int>(argv.size()), argv.data(), env);
}

// The what() of the ConfigError the arguments cause; fails the test if none.
std::string config_error(const std::vector<std::string>& args, const Env& env = {}) {
  try {
    run(args, env);
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    INFO(what);
    CHECK(what.find('\n') == std::string::npos);  // one line
    CHECK_FALSE(what.empty());
    return what;
  }
  FAIL("expected a ConfigError");
  return {};
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("parse_invocation defaults", "[settings]") {
  const Invocation inv = run({});
  const auto& s = inv.settings;
  CHECK(inv.command == Command::serve);
  CHECK(s.listen_host == "127.0.0.1");
  CHECK(s.listen_port == 8080);
  CHECK(s.data_dir == fs::path("./amarcord-data"));
  CHECK(s.db_url == "sqlite:///" + (fs::path("./amarcord-data") / "amarcord.db").string());
  CHECK(s.db_url == "sqlite:///./amarcord-data/amarcord.db");
  CHECK(s.time_zone == "Europe/Berlin");
  CHECK(s.migrate);
  CHECK(s.threads >= 1);  // 0 is resolved to the number of cores
  CHECK(s.db_pool_size == 8);
  CHECK(s.max_body_bytes == 16ull * 1024 * 1024);
  CHECK(s.max_upload_bytes == 1024ull * 1024 * 1024);
  CHECK(s.header_timeout == 30s);
  CHECK(s.idle_timeout == 75s);
  CHECK(s.body_timeout == 300s);
  CHECK(s.shutdown_grace == 20s);
  CHECK(s.db_acquire_timeout == 15s);
  CHECK(s.cors_origins ==
        std::vector<std::string>{"http://localhost:5001", "http://localhost:8001"});
  CHECK(s.web_root.empty());
  CHECK(s.log_level == "info");
  CHECK(s.port_file.empty());
}

TEST_CASE("parse_invocation commands", "[settings]") {
  CHECK(run({"serve"}).command == Command::serve);
  CHECK(run({"migrate"}).command == Command::migrate);
  CHECK(run({"--version"}).command == Command::version);

  const Invocation migrate = run({"migrate", "--listen", "0.0.0.0:9000"});
  CHECK(migrate.command == Command::migrate);
  CHECK(migrate.settings.listen_port == 9000);
  const Invocation flags_first = run({"--tz", "UTC", "migrate"});
  CHECK(flags_first.command == Command::migrate);
  CHECK(flags_first.settings.time_zone == "UTC");

  SECTION("help") {
    for (const char* flag : {"--help", "-h"}) {
      const Invocation inv = run({flag});
      CHECK(inv.command == Command::help);
      CHECK(contains(inv.help_text, "Usage"));
      CHECK(contains(inv.help_text, "migrate"));
      CHECK(contains(inv.help_text, "--listen"));
      CHECK(contains(inv.help_text, "--db-url"));
      CHECK(contains(inv.help_text, "--no-migrate"));
      CHECK(contains(inv.help_text, "AMARCORD_LISTEN"));
      CHECK(contains(inv.help_text, "AMARCORD_CONFIG"));
      CHECK(contains(inv.help_text, "DB_URL"));
    }
    // --help wins even over settings that would be invalid.
    CHECK(run({"--help", "--listen", "foo"}).command == Command::help);
  }

  SECTION("unknown command") {
    const std::string what = config_error({"bogus"});
    CHECK(contains(what, "bogus"));
  }
  SECTION("two commands") {
    config_error({"serve", "migrate"});
  }
}

TEST_CASE("parse_invocation reads every setting from flags", "[settings]") {
  const Invocation inv = run({"--db-url",
                              "postgresql://u@h/db",
                              "--data-dir",
                              "/srv/amarcord",
                              "--listen",
                              "0.0.0.0:9000",
                              "--threads",
                              "3",
                              "--db-pool-size",
                              "5",
                              "--tz",
                              "UTC",
                              "--no-migrate",
                              "--max-body-size",
                              "1MiB",
                              "--max-upload-size",
                              "2G",
                              "--header-timeout",
                              "10",
                              "--idle-timeout",
                              "2m",
                              "--body-timeout",
                              "1h",
                              "--shutdown-grace",
                              "0",
                              "--db-acquire-timeout",
                              "7s",
                              "--cors-origin",
                              "http://a.example:1",
                              "--cors-origin",
                              "https://b.example",
                              "--web-root",
                              "/srv/web",
                              "--log-level",
                              "debug",
                              "--port-file",
                              "/tmp/port"});
  const auto& s = inv.settings;
  CHECK(inv.command == Command::serve);
  CHECK(s.db_url == "postgresql://u@h/db");
  CHECK(s.data_dir == fs::path("/srv/amarcord"));
  CHECK(s.listen_host == "0.0.0.0");
  CHECK(s.listen_port == 9000);
  CHECK(s.threads == 3);
  CHECK(s.db_pool_size == 5);
  CHECK(s.time_zone == "UTC");
  CHECK_FALSE(s.migrate);
  CHECK(s.max_body_bytes == 1024ull * 1024);
  CHECK(s.max_upload_bytes == 2ull * 1024 * 1024 * 1024);
  CHECK(s.header_timeout == 10s);
  CHECK(s.idle_timeout == 120s);
  CHECK(s.body_timeout == 3600s);
  CHECK(s.shutdown_grace == 0s);  // the only duration that may be zero
  CHECK(s.db_acquire_timeout == 7s);
  CHECK(s.cors_origins == std::vector<std::string>{"http://a.example:1", "https://b.example"});
  CHECK(s.web_root == fs::path("/srv/web"));
  CHECK(s.log_level == "debug");
  CHECK(s.port_file == fs::path("/tmp/port"));
}

TEST_CASE("parse_invocation accepts --name=value and IPv6 listen addresses", "[settings]") {
  const auto s = run({"--listen=[::1]:9443", "--threads=2"}).settings;
  CHECK(s.listen_host == "::1");
  CHECK(s.listen_port == 9443);
  CHECK(s.threads == 2);
  const auto any = run({"--listen", "0.0.0.0:0"}).settings;  // port 0 picks a free port
  CHECK(any.listen_host == "0.0.0.0");
  CHECK(any.listen_port == 0);
  CHECK(run({"--listen", "localhost:65535"}).settings.listen_port == 65535);
}

TEST_CASE("the default database URL follows the data directory", "[settings]") {
  CHECK(run({"--data-dir", "/srv/x"}).settings.db_url == "sqlite:////srv/x/amarcord.db");
  CHECK(run({}, {{"AMARCORD_DATA_DIR", "rel/dir"}}).settings.db_url ==
        "sqlite:///rel/dir/amarcord.db");
  // An explicit URL is not rewritten.
  CHECK(run({"--data-dir", "/srv/x", "--db-url", "sqlite:////elsewhere.db"}).settings.db_url ==
        "sqlite:////elsewhere.db");
}

TEST_CASE("parse_invocation reads every setting from the environment", "[settings]") {
  const Env env = {{"DB_URL", "mysql://u:p@h/db"},
                   {"AMARCORD_DATA_DIR", "/data"},
                   {"AMARCORD_LISTEN", " 10.0.0.1:8443 "},
                   {"AMARCORD_THREADS", "4"},
                   {"AMARCORD_DB_POOL_SIZE", "16"},
                   {"AMARCORD_TZ", "America/New_York"},
                   {"AMARCORD_NO_MIGRATE", "yes"},
                   {"AMARCORD_MAX_BODY_SIZE", "512k"},
                   {"AMARCORD_MAX_UPLOAD_SIZE", "100"},
                   {"AMARCORD_HEADER_TIMEOUT", "5s"},
                   {"AMARCORD_IDLE_TIMEOUT", "1m"},
                   {"AMARCORD_BODY_TIMEOUT", "2h"},
                   {"AMARCORD_SHUTDOWN_GRACE", "3"},
                   {"AMARCORD_DB_ACQUIRE_TIMEOUT", "9"},
                   {"AMARCORD_CORS_ORIGINS", "http://x:1, https://y"},
                   {"AMARCORD_WEB_ROOT", "/web"},
                   {"AMARCORD_LOG_LEVEL", "warn"},
                   {"AMARCORD_PORT_FILE", "/run/port"},
                   {"UNRELATED", "ignored"}};
  const auto s = run({}, env).settings;
  CHECK(s.db_url == "mysql://u:p@h/db");
  CHECK(s.data_dir == fs::path("/data"));
  CHECK(s.listen_host == "10.0.0.1");
  CHECK(s.listen_port == 8443);
  CHECK(s.threads == 4);
  CHECK(s.db_pool_size == 16);
  CHECK(s.time_zone == "America/New_York");
  CHECK_FALSE(s.migrate);
  CHECK(s.max_body_bytes == 512ull * 1024);
  CHECK(s.max_upload_bytes == 100);
  CHECK(s.header_timeout == 5s);
  CHECK(s.idle_timeout == 60s);
  CHECK(s.body_timeout == 7200s);
  CHECK(s.shutdown_grace == 3s);
  CHECK(s.db_acquire_timeout == 9s);
  CHECK(s.cors_origins == std::vector<std::string>{"http://x:1", "https://y"});
  CHECK(s.web_root == fs::path("/web"));
  CHECK(s.log_level == "warn");
  CHECK(s.port_file == fs::path("/run/port"));
}

TEST_CASE("AMARCORD_NO_MIGRATE values", "[settings]") {
  for (const char* yes : {"1", "true", "TRUE", "yes", "on"}) {
    INFO(yes);
    CHECK_FALSE(run({}, {{"AMARCORD_NO_MIGRATE", yes}}).settings.migrate);
  }
  for (const char* no : {"0", "false", "no", "off", "Off"}) {
    INFO(no);
    CHECK(run({}, {{"AMARCORD_NO_MIGRATE", no}}).settings.migrate);
  }
  const std::string what = config_error({}, {{"AMARCORD_NO_MIGRATE", "maybe"}});
  CHECK(contains(what, "--no-migrate"));
  CHECK(contains(what, "environment AMARCORD_NO_MIGRATE"));
  // The flag beats the environment.
  CHECK_FALSE(run({"--no-migrate"}, {{"AMARCORD_NO_MIGRATE", "0"}}).settings.migrate);
}

TEST_CASE("CORS origins", "[settings]") {
  CHECK(run({"--cors-origin", "none"}).settings.cors_origins.empty());
  CHECK(run({}, {{"AMARCORD_CORS_ORIGINS", "none"}}).settings.cors_origins.empty());
  CHECK(run({"--cors-origin", "*"}).settings.cors_origins == std::vector<std::string>{"*"});
  const std::string what = config_error({"--cors-origin", "ftp://x"});
  CHECK(contains(what, "--cors-origin"));
  CHECK(contains(what, "command line"));
}

TEST_CASE("config file settings", "[settings]") {
  TempDir dir;
  const std::string file = dir.write("amarcord.ini",
                                     "# a comment\n"
                                     "\n"
                                     "listen = 0.0.0.0:9000\n"
                                     "tz = UTC\n"
                                     "threads = 6\n"
                                     "no-migrate = true\n"
                                     "max-body-size = 2MiB\n"
                                     "idle-timeout = 3m\n"
                                     "data-dir = /from/file\n"
                                     "log-level = error\n"
                                     "cors-origin = http://c:1\n");

  SECTION("via --config") {
    const auto s = run({"--config", file}).settings;
    CHECK(s.listen_host == "0.0.0.0");
    CHECK(s.listen_port == 9000);
    CHECK(s.time_zone == "UTC");
    CHECK(s.threads == 6);
    CHECK_FALSE(s.migrate);
    CHECK(s.max_body_bytes == 2ull * 1024 * 1024);
    CHECK(s.idle_timeout == 180s);
    CHECK(s.data_dir == fs::path("/from/file"));
    CHECK(s.db_url == "sqlite:////from/file/amarcord.db");
    CHECK(s.log_level == "error");
    CHECK(s.cors_origins == std::vector<std::string>{"http://c:1"});
    // Settings the file does not name keep their defaults.
    CHECK(s.db_pool_size == 8);
    CHECK(s.header_timeout == 30s);
  }
  SECTION("via AMARCORD_CONFIG") {
    const auto s = run({}, {{"AMARCORD_CONFIG", file}}).settings;
    CHECK(s.listen_port == 9000);
    CHECK(s.time_zone == "UTC");
  }
  SECTION("--config beats AMARCORD_CONFIG") {
    const std::string other = dir.write("other.ini", "listen = 1.1.1.1:1111\n");
    const auto s = run({"--config", other}, {{"AMARCORD_CONFIG", file}}).settings;
    CHECK(s.listen_host == "1.1.1.1");
    CHECK(s.listen_port == 1111);
    CHECK(s.time_zone == "Europe/Berlin");  // nothing from the env's file
  }
}

TEST_CASE("precedence: flags > environment > config file > defaults", "[settings]") {
  TempDir dir;
  const std::string file = dir.write("c.ini",
                                     "listen = 1.1.1.1:1001\n"
                                     "tz = Asia/Tokyo\n"
                                     "threads = 11\n"
                                     "log-level = error\n");
  const Env env = {{"AMARCORD_CONFIG", file},
                   {"AMARCORD_LISTEN", "2.2.2.2:2002"},
                   {"AMARCORD_TZ", "America/New_York"}};

  SECTION("file over defaults") {
    const auto s = run({}, {{"AMARCORD_CONFIG", file}}).settings;
    CHECK(s.listen_host == "1.1.1.1");
    CHECK(s.listen_port == 1001);
    CHECK(s.time_zone == "Asia/Tokyo");
    CHECK(s.threads == 11);
    CHECK(s.log_level == "error");
  }
  SECTION("environment over file") {
    const auto s = run({}, env).settings;
    CHECK(s.listen_host == "2.2.2.2");
    CHECK(s.listen_port == 2002);
    CHECK(s.time_zone == "America/New_York");
    CHECK(s.threads == 11);  // only in the file
    CHECK(s.log_level == "error");
  }
  SECTION("flags over environment and file") {
    const auto s = run({"--listen", "3.3.3.3:3003", "--threads", "2"}, env).settings;
    CHECK(s.listen_host == "3.3.3.3");
    CHECK(s.listen_port == 3003);
    CHECK(s.threads == 2);
    CHECK(s.time_zone == "America/New_York");  // env, no flag
    CHECK(s.log_level == "error");             // file only
  }
  SECTION("DB_URL over the data-dir default") {
    const auto s = run({"--data-dir", "/d"}, {{"DB_URL", "sqlite:////env.db"}}).settings;
    CHECK(s.db_url == "sqlite:////env.db");
    CHECK(run({"--db-url", "sqlite:////flag.db"}, {{"DB_URL", "sqlite:////env.db"}})
              .settings.db_url == "sqlite:////flag.db");
  }
}

TEST_CASE("invalid settings name the setting and its source", "[settings]") {
  SECTION("--listen from the command line") {
    for (const char* bad : {"foo", "1.2.3.4:70000", ":8080", "host:", "host:abc", "host:-1"}) {
      INFO(bad);
      const std::string what = config_error({"--listen", bad});
      CHECK(contains(what, "--listen"));
      CHECK(contains(what, "command line"));
      CHECK(contains(what, bad));
    }
  }
  SECTION("--listen from the environment") {
    const std::string what = config_error({}, {{"AMARCORD_LISTEN", "foo"}});
    CHECK(contains(what, "--listen"));
    CHECK(contains(what, "environment AMARCORD_LISTEN"));
  }
  SECTION("--listen from a config file") {
    TempDir dir;
    const std::string file = dir.write("bad.ini", "listen = foo\n");
    const std::string what = config_error({"--config", file});
    CHECK(contains(what, "--listen"));
    CHECK(contains(what, "config file " + file));
  }
  SECTION("counts") {
    for (const char* bad : {"0", "1025", "-1", "abc", "2x", ""}) {
      INFO(bad);
      const std::string what = config_error({"--threads", bad});
      CHECK(contains(what, "--threads"));
      CHECK(contains(what, "command line"));
    }
    const std::string pool = config_error({}, {{"AMARCORD_DB_POOL_SIZE", "0"}});
    CHECK(contains(pool, "--db-pool-size"));
    CHECK(contains(pool, "environment AMARCORD_DB_POOL_SIZE"));
  }
  SECTION("sizes") {
    const std::string what = config_error({"--max-body-size", "12XB"});
    CHECK(contains(what, "--max-body-size"));
    CHECK(contains(what, "command line"));
    CHECK(contains(config_error({"--max-body-size", "0"}), "--max-body-size"));
    const std::string upload = config_error({}, {{"AMARCORD_MAX_UPLOAD_SIZE", "lots"}});
    CHECK(contains(upload, "--max-upload-size"));
    CHECK(contains(upload, "environment AMARCORD_MAX_UPLOAD_SIZE"));
  }
  SECTION("durations") {
    const std::string what = config_error({"--idle-timeout", "abc"});
    CHECK(contains(what, "--idle-timeout"));
    CHECK(contains(what, "command line"));
    CHECK(contains(config_error({"--idle-timeout", "0"}), "--idle-timeout"));
    CHECK(contains(config_error({"--header-timeout", "5d"}), "--header-timeout"));
    CHECK(contains(config_error({"--body-timeout", "-5"}), "--body-timeout"));
    const std::string acquire = config_error({}, {{"AMARCORD_DB_ACQUIRE_TIMEOUT", "0s"}});
    CHECK(contains(acquire, "--db-acquire-timeout"));
    CHECK(contains(acquire, "environment AMARCORD_DB_ACQUIRE_TIMEOUT"));
  }
  SECTION("log level") {
    const std::string what = config_error({"--log-level", "verbose"});
    CHECK(contains(what, "--log-level"));
    CHECK(contains(what, "verbose"));
  }
  SECTION("unknown option") {
    const std::string what = config_error({"--bogus", "1"});
    CHECK(contains(what, "--bogus"));
    CHECK(contains(what, "command line"));
  }
  SECTION("missing argument") {
    CHECK(contains(config_error({"--listen"}), "listen"));
  }
}

TEST_CASE("config file problems", "[settings]") {
  TempDir dir;
  SECTION("unreadable file named on the command line") {
    const std::string missing = (dir.path() / "does-not-exist.ini").string();
    const std::string what = config_error({"--config", missing});
    CHECK(contains(what, "--config"));
    CHECK(contains(what, "command line"));
    CHECK(contains(what, missing));
  }
  SECTION("unreadable file named in the environment") {
    const std::string missing = (dir.path() / "nope.ini").string();
    const std::string what = config_error({}, {{"AMARCORD_CONFIG", missing}});
    CHECK(contains(what, "--config"));
    CHECK(contains(what, "environment AMARCORD_CONFIG"));
  }
  SECTION("unknown key") {
    const std::string file = dir.write("unknown.ini", "listen = 0.0.0.0:1\nbogus-key = 1\n");
    const std::string what = config_error({"--config", file});
    CHECK(contains(what, "config file"));
    CHECK(contains(what, file));
    CHECK(contains(what, "bogus-key"));
  }
  SECTION("invalid value") {
    const std::string file = dir.write("threads.ini", "threads = many\n");
    const std::string what = config_error({}, {{"AMARCORD_CONFIG", file}});
    CHECK(contains(what, "--threads"));
    CHECK(contains(what, "config file " + file));
    CHECK(contains(what, "many"));
  }
}

// Regression: std::ifstream opens a
// directory without error on Linux, so `--config DIR` reads as an empty file
// and every setting silently keeps its default.
TEST_CASE("a directory is not a config file", "[settings]") {
  TempDir dir;
  const std::string what = config_error({"--config", dir.path().string()});
  CHECK(contains(what, "--config"));
}

TEST_CASE("parse_byte_size", "[settings]") {
  CHECK(parse_byte_size("100") == 100);
  CHECK(parse_byte_size("0") == 0);
  CHECK(parse_byte_size("100b") == 100);
  CHECK(parse_byte_size("512k") == 512ull << 10);
  CHECK(parse_byte_size("512KB") == 512ull << 10);
  CHECK(parse_byte_size("3KiB") == 3ull << 10);
  CHECK(parse_byte_size("16MiB") == 16ull << 20);
  CHECK(parse_byte_size("16m") == 16ull << 20);
  CHECK(parse_byte_size("1G") == 1ull << 30);
  CHECK(parse_byte_size("1gib") == 1ull << 30);
  CHECK(parse_byte_size("2T") == 2ull << 40);
  CHECK(parse_byte_size(" 2 GiB ") == 2ull << 30);
  CHECK(parse_byte_size("18446744073709551615") == 18446744073709551615ull);
  for (const char* bad : {"", "  ", "abc", "MiB", "12XB", "-1", "1.5G", "16 MiBs",
                          "18446744073709551616", "17179869184G"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_byte_size(bad), std::invalid_argument);
  }
}

TEST_CASE("parse_duration", "[settings]") {
  CHECK(parse_duration("30") == 30s);
  CHECK(parse_duration("30s") == 30s);
  CHECK(parse_duration("0") == 0s);
  CHECK(parse_duration("5m") == 300s);
  CHECK(parse_duration("5min") == 300s);
  CHECK(parse_duration("2h") == 7200s);
  CHECK(parse_duration(" 45 s ") == 45s);
  for (const char* bad :
       {"", "abc", "s", "-5", "5d", "1.5h", "5 minutes", "99999999999999999999"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_duration(bad), std::invalid_argument);
  }
}
