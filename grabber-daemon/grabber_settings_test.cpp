#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "grabber_settings.hpp"

namespace fs = std::filesystem;
using amarcord::config::ConfigError;
using namespace amarcord::grabber;
using Env = std::map<std::string, std::string>;

namespace {

GrabberInvocation run(const std::vector<std::string>& args, const Env& env = {}) {
  std::vector<const char*> argv{"amarcord-grabber"};
  for (const auto& a : args)
    argv.push_back(a.c_str());
  return parse_grabber_invocation(static_cast<int>(argv.size()), argv.data(), env);
}

// The one-line message of the ConfigError the arguments cause.
std::string config_error(const std::vector<std::string>& args, const Env& env = {}) {
  try {
    run(args, env);
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    INFO(what);
    CHECK(what.find('\n') == std::string::npos);
    return what;
  }
  FAIL("expected a ConfigError");
  return {};
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

const std::vector<std::string> kMinimal{"--stream-url", "http://cam/video", "--data-dir",
                                        "/srv/d",       "--beamtime-id",    "3"};

std::vector<std::string> with(std::vector<std::string> extra) {
  std::vector<std::string> args = kMinimal;
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    static std::atomic<unsigned> counter{0};
    path_ = fs::temp_directory_path() /
            ("amarcord-grabber-conf-" + std::to_string(std::random_device{}()) + "-" +
             std::to_string(counter++) + ".conf");
    std::ofstream(path_) << content;
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

}  // namespace

TEST_CASE("grabber settings: defaults", "[grabber-settings]") {
  const auto inv = run(kMinimal);
  const auto& s = inv.settings;
  CHECK(inv.command == GrabberCommand::run);
  CHECK(s.stream_url == "http://cam/video");
  CHECK(s.data_dir == fs::path("/srv/d"));
  CHECK(s.beamtime_id == 3);
  CHECK(s.server_url.empty());
  CHECK(s.interval.count() == 1.0);
  CHECK(s.verify == amarcord::mjpeg::Verify::markers);
  CHECK(s.max_width == 0);
  CHECK(s.max_height == 0);
  CHECK(s.max_part_bytes == 16ull << 20);
  CHECK(s.connect_timeout.count() == 10.0);
  CHECK(s.stall_timeout.count() == 10.0);
  CHECK(s.backoff_initial.count() == 0.5);
  CHECK(s.backoff_max.count() == 30.0);
  CHECK(s.follow_interval.count() == 5.0);
  CHECK(s.status_file == fs::path("/srv/d/live/grabber-status.json"));
  CHECK(s.durable);  // temp + fsync + rename unless switched off
  CHECK(s.log_level == "info");
}

TEST_CASE("grabber settings: every flag", "[grabber-settings]") {
  const auto s = run({"--stream-url",
                      "https://u:p@cam:8443/x",
                      "--stream-user",
                      "op",
                      "--stream-password",
                      "pw",
                      "--server-url",
                      "http://srv:8080/",
                      "--interval",
                      "0.25",
                      "--verify=decode",
                      "--max-width",
                      "640",
                      "--max-height",
                      "480",
                      "--max-part-size",
                      "2MiB",
                      "--connect-timeout",
                      "3",
                      "--stall-timeout",
                      "1500ms",
                      "--backoff-initial",
                      "0.01",
                      "--backoff-max",
                      "2",
                      "--follow-interval",
                      "1m",
                      "--status-file",
                      "/run/g.json",
                      "--durable=false",
                      "--log-level",
                      "debug"})
                     .settings;
  CHECK(s.stream_url == "https://u:p@cam:8443/x");
  CHECK(s.stream_user == "op");
  CHECK(s.stream_password == "pw");
  CHECK(s.server_url == "http://srv:8080");  // trailing slash removed
  CHECK_FALSE(s.beamtime_id.has_value());
  CHECK(s.data_dir.empty());
  CHECK(s.interval.count() == 0.25);
  CHECK(s.verify == amarcord::mjpeg::Verify::decode);
  CHECK(s.max_width == 640);
  CHECK(s.max_height == 480);
  CHECK(s.max_part_bytes == 2u << 20);
  CHECK(s.connect_timeout.count() == 3.0);
  CHECK(s.stall_timeout.count() == Approx(1.5));
  CHECK(s.backoff_initial.count() == Approx(0.01));
  CHECK(s.backoff_max.count() == 2.0);
  CHECK(s.follow_interval.count() == 60.0);
  CHECK(s.status_file == fs::path("/run/g.json"));
  CHECK_FALSE(s.durable);
  CHECK(s.log_level == "debug");
}

TEST_CASE("grabber settings: the original daemon's flags", "[grabber-settings]") {
  const auto s = run({"--amarcord-url", "http://srv:8080", "--stream-url", "http://cam/",
                      "--delay-seconds", "5.0"})
                     .settings;
  CHECK(s.server_url == "http://srv:8080");
  CHECK(s.interval.count() == 5.0);
  CHECK(s.status_file.empty());  // no data dir, no default status file
  // An alias and its setting that disagree.
  CHECK(contains(config_error({"--amarcord-url", "http://a", "--server-url", "http://b",
                               "--stream-url", "http://cam/"}),
                 "--server-url"));
  // Agreeing is fine.
  CHECK(
      run({"--amarcord-url", "http://a", "--server-url", "http://a", "--stream-url", "http://cam/"})
          .settings.server_url == "http://a");
}

TEST_CASE("grabber settings: flags > environment > config file", "[grabber-settings]") {
  TempFile conf(
      "# grabber\nstream-url = http://file-cam/\ndata-dir = /file\nbeamtime-id = 1\n"
      "interval = 2\nstall-timeout = 4\ndelay-seconds = 2\namarcord-url = http://file-srv\n");
  const Env env{{"AMARCORD_GRABBER_STALL_TIMEOUT", "6"},
                {"AMARCORD_DATA_DIR", "/env"},
                {"AMARCORD_GRABBER_CONFIG", conf.path()}};
  const auto s = run({"--data-dir", "/flag"}, env).settings;
  CHECK(s.stream_url == "http://file-cam/");
  CHECK(s.data_dir == fs::path("/flag"));
  CHECK(s.stall_timeout.count() == 6.0);
  CHECK(s.interval.count() == 2.0);
  CHECK(s.beamtime_id == 1);
  CHECK(s.server_url == "http://file-srv");
  CHECK(run({"--config", conf.path()}).settings.data_dir == fs::path("/file"));

  TempFile unknown("stream-url = http://cam/\nbogus-key = 1\n");
  CHECK(contains(config_error({"--config", unknown.path()}), "bogus-key"));
  CHECK(contains(config_error({"--config", "/nonexistent/grabber.conf"}), "--config"));
}

TEST_CASE("grabber settings: invalid values name the setting", "[grabber-settings]") {
  struct Case {
    std::vector<std::string> extra;
    std::string setting;
  };
  const std::vector<Case> cases{
      {{"--interval", "-1"}, "--interval"},
      {{"--interval", "abc"}, "--interval"},
      {{"--interval", "nan"}, "--interval"},
      {{"--interval", "1 parsec"}, "--interval"},
      {{"--delay-seconds", "x"}, "--interval"},
      {{"--verify", "full"}, "--verify"},
      {{"--max-width", "-5"}, "--max-width"},
      {{"--max-height", "1e3"}, "--max-height"},
      {{"--max-part-size", "0"}, "--max-part-size"},
      {{"--max-part-size", "2GiB"}, "--max-part-size"},
      {{"--max-part-size", "lots"}, "--max-part-size"},
      {{"--connect-timeout", "0"}, "--connect-timeout"},
      {{"--stall-timeout", "0"}, "--stall-timeout"},
      {{"--backoff-initial", "0"}, "--backoff-initial"},
      {{"--backoff-initial", "5", "--backoff-max", "1"}, "--backoff-max"},
      {{"--follow-interval", "0"}, "--follow-interval"},
      {{"--log-level", "chatty"}, "--log-level"},
      {{"--durable=maybe"}, "--durable"},
      {{"--server-url", "ftp://srv"}, "--server-url"},
  };
  for (const auto& c : cases) {
    INFO(c.extra.front());
    CHECK(contains(config_error(with(c.extra)), c.setting));
  }
  CHECK(contains(
      config_error({"--stream-url", "rtsp://cam/", "--data-dir", "d", "--beamtime-id", "1"}),
      "--stream-url"));
  CHECK(contains(config_error({"--stream-url", "http://", "--data-dir", "d", "--beamtime-id", "1"}),
                 "--stream-url"));
  CHECK(contains(
      config_error({"--stream-url", "http://cam/", "--data-dir", "d", "--beamtime-id", "-3"}),
      "--beamtime-id"));
  CHECK(contains(
      config_error({"--stream-url", "http://cam/", "--data-dir", "d", "--beamtime-id", "4x"}),
      "--beamtime-id"));
  CHECK(contains(config_error({"--bogus"}), "bogus"));
  // Environment values are named with their variable.
  CHECK(contains(config_error(kMinimal, {{"AMARCORD_GRABBER_INTERVAL", "soon"}}),
                 "AMARCORD_GRABBER_INTERVAL"));
}

TEST_CASE("grabber settings: required combinations", "[grabber-settings]") {
  CHECK(contains(config_error({"--data-dir", "d", "--beamtime-id", "1"}), "--stream-url"));
  CHECK(
      contains(config_error({"--stream-url", "http://cam/", "--beamtime-id", "1"}), "--data-dir"));
  CHECK(contains(config_error({"--stream-url", "http://cam/", "--data-dir", "d"}), "--server-url"));
  // Data dir with a server to follow; server alone (sink and follower); server with fixed id.
  CHECK_NOTHROW(
      run({"--stream-url", "http://cam/", "--data-dir", "d", "--server-url", "http://s"}));
  CHECK_NOTHROW(run({"--stream-url", "http://cam/", "--server-url", "http://s"}));
  CHECK_NOTHROW(
      run({"--stream-url", "http://cam/", "--server-url", "http://s", "--beamtime-id", "2"}));
  // Interval 0 means every frame; an empty status file means none.
  CHECK(run(with({"--interval", "0"})).settings.interval.count() == 0.0);
  CHECK(run(with({"--status-file", ""})).settings.status_file.empty());
}

TEST_CASE("grabber settings: help", "[grabber-settings]") {
  for (const char* flag : {"--help", "-h"}) {
    const auto inv = run({flag, "--interval", "bogus"});  // --help wins
    CHECK(inv.command == GrabberCommand::help);
    for (const char* text : {"--stream-url",
                             "--data-dir",
                             "--server-url",
                             "--amarcord-url",
                             "--beamtime-id",
                             "--interval",
                             "--delay-seconds",
                             "--verify",
                             "--max-width",
                             "--max-height",
                             "--max-part-size",
                             "--connect-timeout",
                             "--stall-timeout",
                             "--backoff-initial",
                             "--backoff-max",
                             "--follow-interval",
                             "--status-file",
                             "--durable",
                             "--log-level",
                             "--config",
                             "--stream-user",
                             "--stream-password",
                             "AMARCORD_GRABBER_STREAM_URL",
                             "AMARCORD_URL",
                             "AMARCORD_DATA_DIR",
                             "AMARCORD_GRABBER_CONFIG"}) {
      INFO(text);
      CHECK(contains(inv.help_text, text));
    }
  }
  CHECK(run({"--version"}).command == GrabberCommand::version);
}

TEST_CASE("parse_seconds", "[grabber-settings]") {
  CHECK(parse_seconds("1").count() == 1.0);
  CHECK(parse_seconds(" 0.5 ").count() == 0.5);
  CHECK(parse_seconds("250ms").count() == Approx(0.25));
  CHECK(parse_seconds("2m").count() == 120.0);
  CHECK(parse_seconds("1h").count() == 3600.0);
  CHECK(parse_seconds("0").count() == 0.0);
  for (const char* bad : {"", "-1", "inf", "nan", "1d", "s", "1e10"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_seconds(bad), std::invalid_argument);
  }
}
