#include "grabber_settings.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "config/settings.hpp"

namespace amarcord::grabber {
namespace po = boost::program_options;
using config::ConfigError;
namespace {

// A setting's raw text and where it came from, for error messages.
struct Raw {
  std::string value;
  std::string source;
};

struct OptionDef {
  const char* name;
  const char* env;    // nullptr: no environment variable
  const char* arg;    // nullptr: flag without argument
  const char* alias;  // another name for the same setting (the original daemon's flags)
  const char* help;
};

// The single table of settings: --help, the config file and the
// environment all come from it.
constexpr OptionDef kOptions[] = {
    {"stream-url", "AMARCORD_GRABBER_STREAM_URL", "URL", nullptr,
     "camera MJPEG stream (http:// or https://; credentials as user:pass@ or with "
     "--stream-user/--stream-password, Basic or Digest). Required"},
    {"stream-user", "AMARCORD_GRABBER_STREAM_USER", "USER", nullptr, "camera user name"},
    {"stream-password", "AMARCORD_GRABBER_STREAM_PASSWORD", "PASSWORD", nullptr,
     "camera password (prefer the environment or a mode-0600 config file)"},
    {"data-dir", "AMARCORD_DATA_DIR", "DIR", nullptr,
     "the server's data directory: write DIR/live/live-stream-image-<beamtime id> "
     "atomically (same host as the server)"},
    {"server-url", "AMARCORD_URL", "URL", "amarcord-url",
     "amarcord-server base URL, e.g. http://127.0.0.1:8080: asked for the active beamtime, and "
     "without --data-dir the sink (POST /api/live-stream/<id>). Alias --amarcord-url"},
    {"beamtime-id", "AMARCORD_GRABBER_BEAMTIME_ID", "N", nullptr,
     "grab for this beamtime only instead of following the active one"},
    {"interval", "AMARCORD_GRABBER_INTERVAL", "SECONDS", "delay-seconds",
     "at most one image write per interval, the newest good frame wins (default 1; decimals "
     "allowed; 0 writes every good frame). Alias --delay-seconds"},
    {"verify", "AMARCORD_GRABBER_VERIFY", "MODE", nullptr,
     "markers (SOI/EOI check, default) or decode (additionally decode each image before it is "
     "written)"},
    {"max-width", "AMARCORD_GRABBER_MAX_WIDTH", "PIXELS", nullptr,
     "scale larger images down to this width before writing (default 0 = no limit)"},
    {"max-height", "AMARCORD_GRABBER_MAX_HEIGHT", "PIXELS", nullptr,
     "scale larger images down to this height before writing (default 0 = no limit)"},
    {"max-part-size", "AMARCORD_GRABBER_MAX_PART_SIZE", "SIZE", nullptr,
     "largest stream part accepted; larger ones are dropped (default 16MiB)"},
    {"connect-timeout", "AMARCORD_GRABBER_CONNECT_TIMEOUT", "SECONDS", nullptr,
     "time allowed to connect to the camera (default 10)"},
    {"stall-timeout", "AMARCORD_GRABBER_STALL_TIMEOUT", "SECONDS", nullptr,
     "reconnect when no good frame arrived for this long (default 10)"},
    {"backoff-initial", "AMARCORD_GRABBER_BACKOFF_INITIAL", "SECONDS", nullptr,
     "first wait before reconnecting; doubles per failed attempt, +-20 % jitter, back to this "
     "after a good frame (default 0.5)"},
    {"backoff-max", "AMARCORD_GRABBER_BACKOFF_MAX", "SECONDS", nullptr,
     "longest wait before reconnecting (default 30)"},
    {"follow-interval", "AMARCORD_GRABBER_FOLLOW_INTERVAL", "SECONDS", nullptr,
     "how often the server is asked for the active beamtime (default 5)"},
    {"status-file", "AMARCORD_GRABBER_STATUS_FILE", "PATH", nullptr,
     "JSON status (state, counters, last frame time), replaced atomically at least every 2 s "
     "(default DIR/live/grabber-status.json with --data-dir, otherwise none; empty = none)"},
    {"durable", "AMARCORD_GRABBER_DURABLE", nullptr, nullptr,
     "fsync each live image and its directory before and after the rename, so a power cut "
     "cannot leave an empty image (default true; false saves the syncs at high --interval 0 "
     "rates; a crash or kill -9 never leaves a partial image either way)"},
    {"log-level", "AMARCORD_GRABBER_LOG_LEVEL", "LEVEL", nullptr,
     "debug, info, warn or error (default info)"},
};

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

[[noreturn]] void fail(const std::string& name, const Raw& raw, const std::string& why) {
  throw ConfigError(fmt::format("invalid value for --{} (from {}): \"{}\": {}", name, raw.source,
                                raw.value, why));
}

po::options_description make_description() {
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help and exit")("version", "print the version and exit")(
      "config", po::value<std::string>()->value_name("FILE"),
      "read settings from FILE (lines 'name = value' using the option names below; env "
      "AMARCORD_GRABBER_CONFIG)");
  for (const auto& o : kOptions) {
    if (o.arg == nullptr) {
      desc.add_options()(o.name, po::value<std::string>()->implicit_value("true"), o.help);
    } else {
      desc.add_options()(o.name, po::value<std::string>()->value_name(o.arg), o.help);
    }
    if (o.alias != nullptr) {
      desc.add_options()(o.alias, po::value<std::string>()->value_name(o.arg),
                         fmt::format("same as --{}", o.name).c_str());
    }
  }
  return desc;
}

// The settings present in one layer, keyed by canonical name; an alias and
// its setting given with different values in the same layer is an error.
std::map<std::string, Raw> collect(const po::variables_map& vm, const std::string& source) {
  std::map<std::string, Raw> out;
  for (const auto& o : kOptions) {
    for (const char* name : {o.name, o.alias}) {
      if (name == nullptr) continue;
      auto it = vm.find(name);
      if (it == vm.end() || it->second.empty() || it->second.defaulted()) continue;
      const auto* value = boost::any_cast<std::string>(&it->second.value());
      if (value == nullptr) continue;
      if (auto prev = out.find(o.name); prev != out.end() && prev->second.value != *value) {
        throw ConfigError(fmt::format("--{} and --{} given with different values (from {})", o.name,
                                      o.alias, source));
      }
      out[o.name] = Raw{*value, source};
    }
  }
  return out;
}

bool is_http_url(const std::string& url) {
  const std::string l = lower(url);
  std::size_t host_at = 0;
  if (l.starts_with("http://"))
    host_at = 7;
  else if (l.starts_with("https://"))
    host_at = 8;
  else
    return false;
  if (host_at >= url.size() || url[host_at] == '/') return false;
  return std::none_of(url.begin(), url.end(),
                      [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
}

}  // namespace

Seconds parse_seconds(const std::string& text) {
  const std::string s = trim(text);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p == s.data() || !std::isfinite(v) || v < 0) {
    throw std::invalid_argument("expected seconds such as 1, 0.25, 1.5s, 250ms, 2m");
  }
  const std::string unit = lower(trim(std::string(p, s.data() + s.size())));
  double mult = 1;
  if (unit.empty() || unit == "s")
    mult = 1;
  else if (unit == "ms")
    mult = 0.001;
  else if (unit == "m" || unit == "min")
    mult = 60;
  else if (unit == "h")
    mult = 3600;
  else
    throw std::invalid_argument("unknown unit \"" + unit + "\" (use ms, s, m or h)");
  const double seconds = v * mult;
  if (seconds > 365.0 * 24 * 3600) throw std::invalid_argument("too long (max one year)");
  return Seconds{seconds};
}

GrabberInvocation parse_grabber_invocation(int argc, const char* const argv[],
                                           const std::map<std::string, std::string>& env) {
  const po::options_description desc = make_description();
  GrabberInvocation inv;
  po::variables_map cli;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), cli);
  } catch (const po::error& e) {
    throw ConfigError(std::string("command line: ") + e.what());
  }
  std::ostringstream help;
  help << "Usage: amarcord-grabber --stream-url URL (--data-dir DIR | --server-url URL)\n"
          "                        [--beamtime-id N] [--interval S] [--verify markers|decode] "
          "[options]\n\n"
          "Keeps the live-stream image of the active beamtime (start <= now < end, asked from\n"
          "the server every --follow-interval) or of --beamtime-id current from a camera's\n"
          "MJPEG stream. Broken frames are dropped, stalls and disconnects are retried with\n"
          "backoff. The image goes to DIR/live/live-stream-image-<id> with --data-dir, otherwise\n"
          "to POST <server>/api/live-stream/<id>. With --data-dir and no --beamtime-id,\n"
          "--server-url is needed to follow the active beamtime.\n\n"
       << desc
       << "\nSettings come from flags, then environment variables, then the config file, then "
          "defaults.\nEnvironment variables: ";
  for (const auto& o : kOptions)
    help << (o.env ? std::string(o.env) + " " : "");
  help << "AMARCORD_GRABBER_CONFIG\n";
  inv.help_text = help.str();
  if (cli.count("help")) {
    inv.command = GrabberCommand::help;
    return inv;
  }
  if (cli.count("version")) {
    inv.command = GrabberCommand::version;
    return inv;
  }

  const std::map<std::string, Raw> from_cli = collect(cli, "command line");
  std::map<std::string, Raw> from_env;
  for (const auto& o : kOptions) {
    if (o.env == nullptr) continue;
    if (auto it = env.find(o.env); it != env.end()) {
      from_env[o.name] = Raw{it->second, std::string("environment ") + o.env};
    }
  }
  std::map<std::string, Raw> from_file;
  std::optional<Raw> config_path;
  if (auto it = cli.find("config"); it != cli.end() && !it->second.empty())
    config_path = Raw{it->second.as<std::string>(), "command line"};
  else if (auto e = env.find("AMARCORD_GRABBER_CONFIG"); e != env.end())
    config_path = Raw{e->second, "environment AMARCORD_GRABBER_CONFIG"};
  if (config_path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(config_path->value, ec)) {
      fail("config", *config_path, "not a readable file");
    }
    std::ifstream in(config_path->value);
    if (!in) fail("config", *config_path, "cannot open file");
    po::variables_map file_vm;
    try {
      po::store(po::parse_config_file(in, desc, false), file_vm);
    } catch (const po::error& e) {
      throw ConfigError(fmt::format("config file {}: {}", config_path->value, e.what()));
    }
    from_file = collect(file_vm, "config file " + config_path->value);
  }
  auto lookup = [&](const std::string& name) -> std::optional<Raw> {
    using Layer = const std::map<std::string, Raw>*;
    for (Layer layer : {Layer{&from_cli}, Layer{&from_env}, Layer{&from_file}}) {
      if (auto it = layer->find(name); it != layer->end()) return it->second;
    }
    return std::nullopt;
  };

  GrabberSettings& s = inv.settings;
  if (auto r = lookup("stream-url")) {
    s.stream_url = trim(r->value);
    if (!is_http_url(s.stream_url)) fail("stream-url", *r, "expected an http:// or https:// URL");
  } else {
    throw ConfigError("missing setting --stream-url (or AMARCORD_GRABBER_STREAM_URL)");
  }
  if (auto r = lookup("stream-user")) s.stream_user = r->value;
  if (auto r = lookup("stream-password")) s.stream_password = r->value;
  if (auto r = lookup("data-dir")) {
    if (trim(r->value).empty()) fail("data-dir", *r, "must not be empty");
    s.data_dir = trim(r->value);
  }
  if (auto r = lookup("server-url")) {
    std::string url = trim(r->value);
    if (!is_http_url(url)) fail("server-url", *r, "expected an http:// or https:// URL");
    while (url.ends_with('/'))
      url.pop_back();
    s.server_url = url;
  }
  if (auto r = lookup("beamtime-id")) {
    const std::string t = trim(r->value);
    std::int64_t id = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), id);
    if (t.empty() || ec != std::errc{} || p != t.data() + t.size() || id < 0) {
      fail("beamtime-id", *r, "expected a beamtime id (a whole number >= 0)");
    }
    s.beamtime_id = id;
  }
  auto seconds = [&](const char* name, Seconds& out, double min_exclusive) {
    if (auto r = lookup(name)) {
      try {
        out = parse_seconds(r->value);
      } catch (const std::invalid_argument& e) {
        fail(name, *r, e.what());
      }
      if (out.count() <= min_exclusive) {
        fail(name, *r, min_exclusive < 0 ? "must not be negative" : "must be greater than zero");
      }
    }
  };
  seconds("interval", s.interval, -1);
  seconds("connect-timeout", s.connect_timeout, 0);
  seconds("stall-timeout", s.stall_timeout, 0);
  seconds("backoff-initial", s.backoff_initial, 0);
  seconds("backoff-max", s.backoff_max, 0);
  seconds("follow-interval", s.follow_interval, 0);
  if (s.backoff_max < s.backoff_initial) {
    const auto r = lookup("backoff-max").value_or(Raw{"30", "default"});
    fail("backoff-max", r, "must not be smaller than --backoff-initial");
  }
  if (auto r = lookup("verify")) {
    const std::string v = lower(trim(r->value));
    if (v == "markers")
      s.verify = mjpeg::Verify::markers;
    else if (v == "decode")
      s.verify = mjpeg::Verify::decode;
    else
      fail("verify", *r, "expected markers or decode");
  }
  auto pixels = [&](const char* name, int& out) {
    if (auto r = lookup(name)) {
      const std::string t = trim(r->value);
      int v = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (t.empty() || ec != std::errc{} || p != t.data() + t.size() || v < 0 || v > 65535) {
        fail(name, *r, "expected a number of pixels from 0 (no limit) to 65535");
      }
      out = v;
    }
  };
  pixels("max-width", s.max_width);
  pixels("max-height", s.max_height);
  if (auto r = lookup("max-part-size")) {
    try {
      s.max_part_bytes = config::parse_byte_size(r->value);
    } catch (const std::invalid_argument& e) {
      fail("max-part-size", *r, e.what());
    }
    if (s.max_part_bytes == 0 || s.max_part_bytes > (1ull << 30)) {
      fail("max-part-size", *r, "must be from 1 byte to 1GiB");
    }
  }
  if (auto r = lookup("durable")) {
    const std::string v = lower(trim(r->value));
    if (v == "1" || v == "true" || v == "yes" || v == "on")
      s.durable = true;
    else if (v == "0" || v == "false" || v == "no" || v == "off")
      s.durable = false;
    else
      fail("durable", *r, "expected true or false");
  }
  if (auto r = lookup("log-level")) {
    const std::string level = lower(trim(r->value));
    if (level != "debug" && level != "info" && level != "warn" && level != "error") {
      fail("log-level", *r, "expected debug, info, warn or error");
    }
    s.log_level = level;
  }
  if (auto r = lookup("status-file")) {
    s.status_file = trim(r->value);  // empty: no status file
  } else if (!s.data_dir.empty()) {
    s.status_file = s.data_dir / "live" / "grabber-status.json";
  }

  if (s.data_dir.empty() && s.server_url.empty()) {
    throw ConfigError(
        "missing setting: give --data-dir (write into the server's data directory) or "
        "--server-url (post to the server)");
  }
  if (!s.beamtime_id && s.server_url.empty()) {
    throw ConfigError(
        "missing setting --server-url: without --beamtime-id the active beamtime is asked from "
        "the server");
  }
  return inv;
}

}  // namespace amarcord::grabber
