#include "config/settings.hpp"

#include "config/setting_layers.hpp"
#include "util/text.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

extern char** environ;

namespace amarcord::config {
namespace po = boost::program_options;
namespace {

// The single table of settings: --help, the config file and the
// environment all come from it.
constexpr OptionDef kOptions[] = {
    {"db-url", "DB_URL", "URL",
     "database URL in SQLAlchemy form: sqlite:///path.db, postgresql://user:pass@host:5432/db, "
     "mysql://user:pass@host:3306/db (a +driver part is ignored). Default: SQLite file "
     "amarcord.db in the data directory"},
    {"data-dir", "AMARCORD_DATA_DIR", "DIR",
     "directory for the embedded database, file blobs and live-stream images (default "
     "./amarcord-data)"},
    {"listen", "AMARCORD_LISTEN", "HOST:PORT",
     "address to listen on (default 127.0.0.1:8080; port 0 picks a free port)"},
    {"threads", "AMARCORD_THREADS", "N", "network I/O threads (default: number of cores)"},
    {"db-pool-size", "AMARCORD_DB_POOL_SIZE", "N",
     "database sessions, and threads that run database work (default 8)"},
    {"tz", "AMARCORD_TZ", "ZONE",
     "display time zone of the *_local timestamps (default Europe/Berlin)"},
    {"no-migrate", "AMARCORD_NO_MIGRATE", nullptr,
     "do not migrate the database schema on start; refuse to run if it is not current"},
    {"max-body-size", "AMARCORD_MAX_BODY_SIZE", "SIZE",
     "largest JSON request body (default 16MiB)"},
    {"max-upload-size", "AMARCORD_MAX_UPLOAD_SIZE", "SIZE", "largest file upload (default 1GiB)"},
    {"header-timeout", "AMARCORD_HEADER_TIMEOUT", "DURATION",
     "time a client has to send request headers (default 30s)"},
    {"idle-timeout", "AMARCORD_IDLE_TIMEOUT", "DURATION",
     "keep-alive connections idle longer than this are closed (default 75s)"},
    {"body-timeout", "AMARCORD_BODY_TIMEOUT", "DURATION",
     "time a client has to send a request body (default 300s)"},
    {"shutdown-grace", "AMARCORD_SHUTDOWN_GRACE", "DURATION",
     "on SIGTERM, time in-flight requests get to finish (default 20s)"},
    {"db-acquire-timeout", "AMARCORD_DB_ACQUIRE_TIMEOUT", "DURATION",
     "a request waiting longer than this for a database session gets 503 (default 15s)"},
    {"blob-sweep-interval", "AMARCORD_BLOB_SWEEP_INTERVAL", "DURATION",
     "how often blobs no file refers to any more are deleted from the data directory (default 6h; "
     "0 disables)"},
    {"cors-origin", "AMARCORD_CORS_ORIGINS", "ORIGIN[,ORIGIN...]",
     "origins allowed by CORS (default http://localhost:5001,http://localhost:8001; 'none' "
     "disables CORS)",
     nullptr, true},
    {"web-root", "AMARCORD_WEB_ROOT", "DIR",
     "directory of the built web UI (default: share/amarcord/web next to the binary)"},
    {"log-level", "AMARCORD_LOG_LEVEL", "LEVEL", "debug, info, warn or error (default info)"},
    {"port-file", "AMARCORD_PORT_FILE", "FILE",
     "write the bound port number to FILE once listening"},
};

// The server has a positional command (serve, migrate): flags take no value.
constexpr OptionTable kTable{kOptions, "AMARCORD_CONFIG", false};

using util::trim;

unsigned parse_count(const std::string& name, const RawSetting& raw, unsigned lo, unsigned hi) {
  unsigned v = 0;
  const std::string s = trim(raw.value);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || v < lo || v > hi) {
    fail_setting(name, raw, fmt::format("expected a whole number from {} to {}", lo, hi));
  }
  return v;
}

void parse_listen(const RawSetting& raw, Settings& s) {
  const std::string text = trim(raw.value);
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) fail_setting("listen", raw, "expected HOST:PORT");
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const std::string p = text.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (p.empty() || ec != std::errc{} || ptr != p.data() + p.size() || port > 65535) {
    fail_setting("listen", raw, "port must be a number from 0 to 65535");
  }
  s.listen_host = host;
  s.listen_port = static_cast<std::uint16_t>(port);
}

}  // namespace

std::uint64_t parse_byte_size(const std::string& text) {
  const std::string s = trim(text);
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc{} || p == s.data()) {
    throw std::invalid_argument("expected a size such as 1048576, 512KiB, 16MiB or 1GiB");
  }
  std::string unit(p, s.data() + s.size());
  unit = trim(unit);
  std::transform(unit.begin(), unit.end(), unit.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::uint64_t mult = 1;
  if (unit.empty() || unit == "b")
    mult = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib")
    mult = 1ull << 10;
  else if (unit == "m" || unit == "mb" || unit == "mib")
    mult = 1ull << 20;
  else if (unit == "g" || unit == "gb" || unit == "gib")
    mult = 1ull << 30;
  else if (unit == "t" || unit == "tb" || unit == "tib")
    mult = 1ull << 40;
  else
    throw std::invalid_argument("unknown size unit \"" + unit + "\" (use KiB, MiB, GiB)");
  if (n > UINT64_MAX / mult) throw std::invalid_argument("size too large");
  return n * mult;
}

std::chrono::seconds parse_duration(const std::string& text) {
  const std::string s = trim(text);
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc{} || p == s.data() || n < 0) {
    throw std::invalid_argument("expected a duration such as 30, 30s, 5m or 2h");
  }
  const std::string unit = trim(std::string(p, s.data() + s.size()));
  std::int64_t mult = 1;
  if (unit.empty() || unit == "s")
    mult = 1;
  else if (unit == "m" || unit == "min")
    mult = 60;
  else if (unit == "h")
    mult = 3600;
  else
    throw std::invalid_argument("unknown duration unit \"" + unit + "\" (use s, m or h)");
  if (n > 365LL * 24 * 3600 / mult) throw std::invalid_argument("duration too long (max one year)");
  return std::chrono::seconds{n * mult};
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

Invocation parse_invocation(int argc, const char* const argv[],
                            const std::map<std::string, std::string>& env) {
  const po::options_description desc = describe(kTable);
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::string>());
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description positional;
  positional.add("command", 1);

  Invocation inv;
  po::variables_map cli;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), cli);
  } catch (const po::error& e) {
    throw ConfigError(std::string("command line: ") + e.what());
  }
  std::ostringstream help;
  help << "Usage: amarcord-server [serve|migrate] [options]\n\n"
          "  serve    run the HTTP API server (default)\n"
          "  migrate  bring the database schema up to date and exit\n\n"
       << desc
       << "\nSettings come from flags, then environment variables, then the config file, then "
          "defaults.\nEnvironment variables: ";
  help << environment_variable_names(kTable) << "\n";
  inv.help_text = help.str();

  if (cli.count("help")) {
    inv.command = Command::help;
    return inv;
  }
  if (cli.count("version")) {
    inv.command = Command::version;
    return inv;
  }
  if (cli.count("command")) {
    const auto cmd = cli["command"].as<std::string>();
    if (cmd == "serve")
      inv.command = Command::serve;
    else if (cmd == "migrate")
      inv.command = Command::migrate;
    else
      throw ConfigError("unknown command \"" + cmd + "\" (expected serve or migrate)");
  }

  const SettingLayers layers(kTable, desc, cli, env);
  auto lookup = [&](std::string_view name) { return layers.lookup(name); };

  Settings& s = inv.settings;
  if (auto r = lookup("data-dir")) {
    if (trim(r->value).empty()) fail_setting("data-dir", *r, "must not be empty");
    s.data_dir = trim(r->value);
  }
  if (auto r = lookup("db-url")) {
    if (trim(r->value).empty()) fail_setting("db-url", *r, "must not be empty");
    s.db_url = trim(r->value);
  } else {
    s.db_url = "sqlite:///" + (s.data_dir / "amarcord.db").string();
  }
  if (auto r = lookup("listen")) parse_listen(*r, s);
  if (auto r = lookup("threads")) s.threads = parse_count("threads", *r, 1, 1024);
  if (s.threads == 0) s.threads = std::max(1u, std::thread::hardware_concurrency());
  if (auto r = lookup("db-pool-size")) s.db_pool_size = parse_count("db-pool-size", *r, 1, 1024);
  if (auto r = lookup("tz")) {
    if (trim(r->value).empty()) fail_setting("tz", *r, "must not be empty");
    s.time_zone = trim(r->value);
  }
  if (auto r = lookup("no-migrate")) s.migrate = !parse_flag_setting("no-migrate", *r);
  auto size = [&](const char* name, std::uint64_t& out) {
    if (auto r = lookup(name)) {
      try {
        out = parse_byte_size(r->value);
      } catch (const std::invalid_argument& e) {
        fail_setting(name, *r, e.what());
      }
      if (out == 0) fail_setting(name, *r, "must be greater than zero");
    }
  };
  size("max-body-size", s.max_body_bytes);
  size("max-upload-size", s.max_upload_bytes);
  auto duration = [&](const char* name, std::chrono::seconds& out) {
    if (auto r = lookup(name)) {
      try {
        out = parse_duration(r->value);
      } catch (const std::invalid_argument& e) {
        fail_setting(name, *r, e.what());
      }
      if (out.count() == 0 && std::string_view(name) != "shutdown-grace" &&
          std::string_view(name) != "blob-sweep-interval") {
        fail_setting(name, *r, "must be at least 1s");
      }
    }
  };
  duration("header-timeout", s.header_timeout);
  duration("idle-timeout", s.idle_timeout);
  duration("body-timeout", s.body_timeout);
  duration("shutdown-grace", s.shutdown_grace);
  duration("db-acquire-timeout", s.db_acquire_timeout);
  duration("blob-sweep-interval", s.blob_sweep_interval);
  if (auto r = lookup("cors-origin")) {
    s.cors_origins.clear();
    std::stringstream ss(r->value);
    std::string item;
    while (std::getline(ss, item, ',')) {
      item = trim(item);
      if (item.empty() || item == "none") continue;
      if (item != "*" && !item.starts_with("http://") && !item.starts_with("https://")) {
        fail_setting("cors-origin", *r, "origins look like http://host:port");
      }
      s.cors_origins.push_back(item);
    }
  }
  if (auto r = lookup("web-root")) s.web_root = trim(r->value);
  if (auto r = lookup("log-level")) {
    const std::string level = trim(r->value);
    if (level != "debug" && level != "info" && level != "warn" && level != "error") {
      fail_setting("log-level", *r, "expected debug, info, warn or error");
    }
    s.log_level = level;
  }
  if (auto r = lookup("port-file")) s.port_file = trim(r->value);
  return inv;
}

}  // namespace amarcord::config
