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

#include "config/setting_layers.hpp"
#include "config/settings.hpp"
#include "util/text.hpp"

namespace amarcord::grabber {
namespace po = boost::program_options;
using config::ConfigError;
namespace {

using config::OptionDef;
using config::RawSetting;

// The single table of settings: --help, the config file and the
// environment all come from it.
constexpr OptionDef kOptions[] = {
    {"stream-url", "AMARCORD_GRABBER_STREAM_URL", "URL",
     "camera MJPEG stream (http:// or https://; credentials as user:pass@ or with "
     "--stream-user/--stream-password, Basic or Digest). Required"},
    {"stream-user", "AMARCORD_GRABBER_STREAM_USER", "USER", "camera user name"},
    {"stream-password", "AMARCORD_GRABBER_STREAM_PASSWORD", "PASSWORD",
     "camera password (prefer the environment or a mode-0600 config file)"},
    {"data-dir", "AMARCORD_DATA_DIR", "DIR",
     "the server's data directory: write DIR/live/live-stream-image-<beamtime id> atomically (same "
     "host as the server)"},
    {"server-url", "AMARCORD_URL", "URL",
     "amarcord-server base URL, e.g. http://127.0.0.1:8080: asked for the active beamtime, and "
     "without --data-dir the sink (POST /api/live-stream/<id>). Alias --amarcord-url",
     "amarcord-url"},
    {"beamtime-id", "AMARCORD_GRABBER_BEAMTIME_ID", "N",
     "grab for this beamtime only instead of following the active one"},
    {"interval", "AMARCORD_GRABBER_INTERVAL", "SECONDS",
     "at most one image write per interval, the newest good frame wins (default 1; decimals "
     "allowed; 0 writes every good frame). Alias --delay-seconds",
     "delay-seconds"},
    {"verify", "AMARCORD_GRABBER_VERIFY", "MODE",
     "markers (SOI/EOI check, default) or decode (additionally decode each image before it is "
     "written)"},
    {"max-width", "AMARCORD_GRABBER_MAX_WIDTH", "PIXELS",
     "scale larger images down to this width before writing (default 0 = no limit)"},
    {"max-height", "AMARCORD_GRABBER_MAX_HEIGHT", "PIXELS",
     "scale larger images down to this height before writing (default 0 = no limit)"},
    {"max-part-size", "AMARCORD_GRABBER_MAX_PART_SIZE", "SIZE",
     "largest stream part accepted; larger ones are dropped (default 16MiB)"},
    {"connect-timeout", "AMARCORD_GRABBER_CONNECT_TIMEOUT", "SECONDS",
     "time allowed to connect to the camera (default 10)"},
    {"stall-timeout", "AMARCORD_GRABBER_STALL_TIMEOUT", "SECONDS",
     "reconnect when no good frame arrived for this long (default 10)"},
    {"backoff-initial", "AMARCORD_GRABBER_BACKOFF_INITIAL", "SECONDS",
     "first wait before reconnecting; doubles per failed attempt, +-20 % jitter, back to this "
     "after a good frame (default 0.5)"},
    {"backoff-max", "AMARCORD_GRABBER_BACKOFF_MAX", "SECONDS",
     "longest wait before reconnecting (default 30)"},
    {"follow-interval", "AMARCORD_GRABBER_FOLLOW_INTERVAL", "SECONDS",
     "how often the server is asked for the active beamtime (default 5)"},
    {"status-file", "AMARCORD_GRABBER_STATUS_FILE", "PATH",
     "JSON status (state, counters, last frame time), replaced atomically at least every 2 s "
     "(default DIR/live/grabber-status.json with --data-dir, otherwise none; empty = none)"},
    {"durable", "AMARCORD_GRABBER_DURABLE", nullptr,
     "fsync each live image and its directory before and after the rename, so a power cut cannot "
     "leave an empty image (default true; false saves the syncs at high --interval 0 rates; a "
     "crash or kill -9 never leaves a partial image either way)"},
    {"log-level", "AMARCORD_GRABBER_LOG_LEVEL", "LEVEL",
     "debug, info, warn or error (default info)"},
};

// No positional arguments: a flag may take a value (--durable=false).
constexpr config::OptionTable kTable{kOptions, "AMARCORD_GRABBER_CONFIG", true};

using config::fail_setting;
using util::trim;

using util::to_lower;

bool is_http_url(const std::string& url) {
  const std::string l = to_lower(url);
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
  const std::string unit = to_lower(trim(std::string(p, s.data() + s.size())));
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
  const po::options_description desc = config::describe(kTable);
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
  help << config::environment_variable_names(kTable) << "\n";
  inv.help_text = help.str();
  if (cli.count("help")) {
    inv.command = GrabberCommand::help;
    return inv;
  }
  if (cli.count("version")) {
    inv.command = GrabberCommand::version;
    return inv;
  }

  const config::SettingLayers layers(kTable, desc, cli, env);
  auto lookup = [&](std::string_view name) { return layers.lookup(name); };

  GrabberSettings& s = inv.settings;
  if (auto r = lookup("stream-url")) {
    s.stream_url = trim(r->value);
    if (!is_http_url(s.stream_url))
      fail_setting("stream-url", *r, "expected an http:// or https:// URL");
  } else {
    throw ConfigError("missing setting --stream-url (or AMARCORD_GRABBER_STREAM_URL)");
  }
  if (auto r = lookup("stream-user")) s.stream_user = r->value;
  if (auto r = lookup("stream-password")) s.stream_password = r->value;
  if (auto r = lookup("data-dir")) {
    if (trim(r->value).empty()) fail_setting("data-dir", *r, "must not be empty");
    s.data_dir = trim(r->value);
  }
  if (auto r = lookup("server-url")) {
    std::string url = trim(r->value);
    if (!is_http_url(url)) fail_setting("server-url", *r, "expected an http:// or https:// URL");
    while (url.ends_with('/'))
      url.pop_back();
    s.server_url = url;
  }
  if (auto r = lookup("beamtime-id")) {
    const std::string t = trim(r->value);
    std::int64_t id = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), id);
    if (t.empty() || ec != std::errc{} || p != t.data() + t.size() || id < 0) {
      fail_setting("beamtime-id", *r, "expected a beamtime id (a whole number >= 0)");
    }
    s.beamtime_id = id;
  }
  auto seconds = [&](const char* name, Seconds& out, double min_exclusive) {
    if (auto r = lookup(name)) {
      try {
        out = parse_seconds(r->value);
      } catch (const std::invalid_argument& e) {
        fail_setting(name, *r, e.what());
      }
      if (out.count() <= min_exclusive) {
        fail_setting(name, *r,
                     min_exclusive < 0 ? "must not be negative" : "must be greater than zero");
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
    const auto r = lookup("backoff-max").value_or(RawSetting{"30", "default"});
    fail_setting("backoff-max", r, "must not be smaller than --backoff-initial");
  }
  if (auto r = lookup("verify")) {
    const std::string v = to_lower(trim(r->value));
    if (v == "markers")
      s.verify = mjpeg::Verify::markers;
    else if (v == "decode")
      s.verify = mjpeg::Verify::decode;
    else
      fail_setting("verify", *r, "expected markers or decode");
  }
  auto pixels = [&](const char* name, int& out) {
    if (auto r = lookup(name)) {
      const std::string t = trim(r->value);
      int v = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (t.empty() || ec != std::errc{} || p != t.data() + t.size() || v < 0 || v > 65535) {
        fail_setting(name, *r, "expected a number of pixels from 0 (no limit) to 65535");
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
      fail_setting("max-part-size", *r, e.what());
    }
    if (s.max_part_bytes == 0 || s.max_part_bytes > (1ull << 30)) {
      fail_setting("max-part-size", *r, "must be from 1 byte to 1GiB");
    }
  }
  if (auto r = lookup("durable")) s.durable = config::parse_flag_setting("durable", *r);
  if (auto r = lookup("log-level")) {
    const std::string level = to_lower(trim(r->value));
    if (level != "debug" && level != "info" && level != "warn" && level != "error") {
      fail_setting("log-level", *r, "expected debug, info, warn or error");
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
