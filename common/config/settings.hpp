// One Settings struct from command line, environment and config file.
// Precedence: flags > environment > config file > defaults.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace amarcord::config {

struct Settings {
  std::string db_url;  // SQLAlchemy-style URL; default: SQLite in data_dir
  std::filesystem::path data_dir = "./amarcord-data";
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  unsigned threads = 0;                         // I/O threads; 0 = number of cores
  unsigned db_pool_size = 8;                    // DB sessions = DB worker threads
  std::string time_zone = "Europe/Berlin";      // AMARCORD_TZ
  bool migrate = true;                          // migrate the schema on start
  std::uint64_t max_body_bytes = 16ull << 20;   // JSON requests
  std::uint64_t max_upload_bytes = 1ull << 30;  // file uploads
  std::chrono::seconds header_timeout{30};
  std::chrono::seconds idle_timeout{75};
  std::chrono::seconds body_timeout{300};
  std::chrono::seconds shutdown_grace{20};
  std::chrono::seconds db_acquire_timeout{15};
  std::chrono::seconds blob_sweep_interval{6 * 3600};  // 0 = never sweep
  std::vector<std::string> cors_origins = {"http://localhost:5001", "http://localhost:8001"};
  std::filesystem::path web_root;  // built web UI; empty = next to the binary
  std::string log_level = "info";
  std::filesystem::path port_file;  // write the bound port here (tests, scripts)
};

enum class Command { serve, migrate, help, version };

struct Invocation {
  Command command = Command::serve;
  Settings settings;
  std::string help_text;
};

// Thrown for any invalid setting; what() is one line naming the setting and
// where its value came from. Programs print it and exit with status 2.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `env` is injected so tests need not touch the process environment.
Invocation parse_invocation(int argc, const char* const argv[],
                            const std::map<std::string, std::string>& env);
std::map<std::string, std::string> process_environment();

// Parsers shared with other programs (the grabber).
std::uint64_t parse_byte_size(const std::string& text);        // "16MiB", "1G", "512k", "100"
std::chrono::seconds parse_duration(const std::string& text);  // "30", "30s", "5m", "2h"

}  // namespace amarcord::config
