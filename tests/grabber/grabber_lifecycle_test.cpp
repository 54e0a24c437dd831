// The grabber's process-level promises: the live file is replaced
// atomically (a reader never sees a partial image), SIGTERM stops it within
// 2 s leaving no temp file, stale temp files are removed at start, the
// write rate follows --interval, large frames are scaled down, 1,000
// reconnects leak no fd, thread or memory, and bad settings exit 2.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <thread>

#include "grabber/grabber_helpers.hpp"

using namespace amarcord::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// SIGTERM must end the grabber with status 0 within 2 s, with no temp file
// left in the live directory.
void check_sigterm(GrabberRun& run) {
  const auto before = std::chrono::steady_clock::now();
  run.process().signal(SIGTERM);
  auto st = run.process().wait_exit(2500ms);
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - before);
  INFO(run.describe());
  REQUIRE(st.has_value());
  CHECK(st->code == 0);
  CHECK(st->signal == 0);
  CHECK(took.count() < 2.0);
  CHECK(temp_files(run.live_dir()).empty());
  if (auto s = run.process().status()) CHECK(s->state == "stopping");
}

}  // namespace

TEST_CASE(
    "grabber: a reader polling the live file never sees a partial image over 1,000 "
    "replacements (20)",
    "[grabber][atomic]") {
  auto camera = start_camera(CameraScript{}, 400);
  GrabberRun run(camera->url(), {{"interval", "0"}});
  auto first = run.wait([](const GrabberStatus& st) { return st.frames_written >= 1; }, 10s);
  INFO(run.describe());
  REQUIRE(first.has_value());
  REQUIRE(poll_until([&] { return !run.read_live().empty(); }, 2s));

  std::atomic<bool> stop{false};
  std::atomic<long> reads{0}, bad{0}, changes{0};
  std::string first_bad;
  std::thread reader([&] {
    std::string previous;
    while (!stop.load()) {
      // open + read to EOF, as a web server serving the file would.
      const auto bytes = read_file_bytes(run.live_file());
      ++reads;
      if (!camera->sent_valid(bytes)) {
        if (bad.fetch_add(1) == 0) first_bad = bytes.substr(0, 64);
      } else if (bytes != previous) {
        ++changes;
        previous = bytes;
      }
    }
  });
  const auto start_written = run.status().frames_written;
  auto done = run.wait(
      [&](const GrabberStatus& st) { return st.frames_written >= start_written + 1000; }, 120s);
  stop = true;
  reader.join();
  REQUIRE(done.has_value());
  INFO("reads " << reads.load() << ", changes seen " << changes.load() << ", writes "
                << done->frames_written - start_written);
  CHECK(bad.load() == 0);
  CHECK(first_bad.empty());
  CHECK(changes.load() >= 100);  // the reader really raced the replacements
  CHECK(reads.load() >= 1000);
  check_sigterm(run);
}

TEST_CASE("grabber: SIGTERM while streaming at 200 fps with --durable exits 0 within 2 s (22)",
          "[grabber][sigterm]") {
  auto camera = start_camera(CameraScript{}, 200);
  GrabberRun run(camera->url(), {{"interval", "0"}, {"durable", ""}});
  INFO(run.describe());
  REQUIRE(run.wait([](const GrabberStatus& st) { return st.frames_written >= 50; }, 15s));
  check_sigterm(run);
  CHECK(camera->sent_valid(run.read_live()));
}

TEST_CASE("grabber: SIGTERM while the camera sends faster than the grabber reads (22)",
          "[grabber][sigterm]") {
  // The socket never runs dry: the grabber must still notice the signal
  // (and keep its status file current) between frames.
  auto camera = start_camera(CameraScript{}, 0);
  GrabberRun run(camera->url(), {{"interval", "0"}});
  INFO(run.describe());
  REQUIRE(poll_until([&] { return camera->parts_sent() >= 2000; }, 20s));
  // The status file is kept current while streaming: it is rewritten every
  // second, and 2000 parts may take less than that, so give it a few ticks.
  CHECK(run.wait([](const GrabberStatus& st) { return st.frames_ok >= 100; }, 5s));
  INFO("status: " << run.status().text);
  check_sigterm(run);
  CHECK(camera->sent_valid(run.read_live()));
}

TEST_CASE("grabber: SIGTERM while waiting on a silent camera or in a long backoff (22)",
          "[grabber][sigterm]") {
  SECTION("silent camera, long stall timeout") {
    auto camera = start_camera(scenario("headers_then_silence"));
    GrabberRun run(camera->url(), {{"stall-timeout", "30"}});
    REQUIRE(poll_until([&] { return camera->streams() >= 1; }, 10s));
    check_sigterm(run);
  }
  SECTION("camera down, 20 s backoff") {
    const auto port = reserve_free_port();
    GrabberRun run("http://127.0.0.1:" + std::to_string(port) + "/stream",
                   {{"backoff-initial", "20"}, {"backoff-max", "30"}});
    REQUIRE(run.wait([](const GrabberStatus& st) { return st.state == "backoff"; }, 10s));
    check_sigterm(run);
  }
}

TEST_CASE("grabber: stale temp files are removed at start, other files are kept (20)",
          "[grabber]") {
  auto camera = start_camera(CameraScript{}, 20);
  // Leftovers of a grabber killed mid-write, and a file that is not one.
  const auto data = make_temp_dir("grabber-stale");
  fs::create_directories(data / "live");
  const auto stale1 = data / "live" / ".live-stream-image-1.a1b2c3.tmp";
  const auto stale2 = data / "live" / ".live-stream-image-42.zz.tmp";
  const auto keep = data / "live" / "notes.txt";
  std::ofstream(stale1) << "partial";
  std::ofstream(stale2) << "partial";
  std::ofstream(keep) << "keep me";
  {
    auto st = GrabberProcess::start({"--stream-url", camera->url(), "--beamtime-id", "1",
                                     "--data-dir", data.string(), "--interval", "0"},
                                    data / "live" / "grabber-status.json");
    INFO(st->log());
    REQUIRE(st->wait_status([](const GrabberStatus& s) { return s.frames_written >= 1; }, 10s));
    CHECK_FALSE(fs::exists(stale1));
    CHECK_FALSE(fs::exists(stale2));
    CHECK(fs::exists(keep));
    CHECK(camera->sent_valid(read_file_bytes(data / "live" / "live-stream-image-1")));
  }
  fs::remove_all(data);
}

TEST_CASE("grabber: --interval limits writes, the newest frame wins (5)", "[grabber]") {
  auto camera = start_camera(CameraScript{}, 50);
  GrabberRun run(camera->url(), {{"interval", "0.5"}});
  INFO(run.describe());
  auto a = run.wait([](const GrabberStatus& st) { return st.frames_written >= 1; }, 10s);
  REQUIRE(a.has_value());
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(3s);
  auto b =
      run.wait([&](const GrabberStatus& st) { return st.updated_at > a->updated_at + 2500; }, 5s);
  REQUIRE(b.has_value());
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto written = b->frames_written - a->frames_written;
  const auto ok = b->frames_ok - a->frames_ok;
  INFO("over " << dt << " s: " << ok << " frames ok, " << written << " written");
  CHECK(written <= static_cast<long long>(dt / 0.5) + 2);
  CHECK(written >= static_cast<long long>((b->updated_at - a->updated_at) / 1000.0 / 0.5) - 2);
  CHECK(ok >= 25 * static_cast<long long>(dt) / 2);
  CHECK(camera->sent_valid(run.read_live()));
}

TEST_CASE("grabber: --max-width/--max-height scale larger frames down (2)", "[grabber]") {
  auto camera = start_camera(CameraScript{}, 30);
  GrabberRun run(camera->url(), {{"max-width", "160"}, {"max-height", "160"}});
  INFO(run.describe());
  REQUIRE(run.wait([](const GrabberStatus& st) { return st.frames_written >= 3; }, 10s));
  const auto live = run.read_live();
  const auto size = jpeg_size(live);
  CHECK(size.width == 160);
  CHECK(size.height == 120);  // aspect kept
  CHECK(decodes_cleanly(live));
}

TEST_CASE("grabber: 1,000 reconnects leak no fd, thread or memory (18)", "[grabber][resources]") {
  auto camera = start_camera(scenario("one_frame_then_close"));
  GrabberRun run(camera->url(), {{"backoff-initial", "0.001"}, {"backoff-max", "0.01"}});
  INFO(run.describe());
  REQUIRE(run.wait([](const GrabberStatus& st) { return st.reconnects >= 50; }, 30s));
  const auto pid = run.process().pid();
  const auto before = sample_process(pid);
  const auto base = run.status().reconnects;
  auto after_status =
      run.wait([&](const GrabberStatus& st) { return st.reconnects >= base + 1000; }, 240s);
  REQUIRE(after_status.has_value());
  const auto after = sample_process(pid);
  INFO("before: fds " << before.fds << " threads " << before.threads << " rss " << before.rss_kib
                      << " KiB; after " << after_status->reconnects - base << " reconnects: fds "
                      << after.fds << " threads " << after.threads << " rss " << after.rss_kib
                      << " KiB; camera connections " << camera->connections());
  CHECK(after.fds <= before.fds + 2);
  CHECK(after.threads <= before.threads + 1);
  CHECK(after.rss_kib <= before.rss_kib + 2048);
  CHECK(camera->open_connections() <= 1);
  CHECK(after_status->frames_ok >= 1000);
  CHECK(camera->sent_valid(run.read_live()));
}

TEST_CASE("grabber: bad settings exit 2 with one line naming the setting; --help (6)",
          "[grabber][settings]") {
  const std::string url = "http://127.0.0.1:9/stream";
  const auto dir = make_temp_dir("grabber-settings");
  struct Bad {
    std::vector<std::string> args;
    std::string names;
  };
  const std::vector<Bad> bad = {
      {{"--stream-url", url, "--data-dir", dir.string(), "--beamtime-id", "1", "--interval", "abc"},
       "interval"},
      {{"--stream-url", url, "--data-dir", dir.string(), "--beamtime-id", "1", "--verify",
        "pixels"},
       "verify"},
      {{"--stream-url", url, "--data-dir", dir.string(), "--beamtime-id", "1", "--max-part-size",
        "lots"},
       "max-part-size"},
      {{"--stream-url", url, "--beamtime-id", "1"}, "data-dir"},  // no sink at all
  };
  for (const auto& b : bad) {
    auto r = run_grabber_command(b.args);
    INFO(r.output);
    CHECK(r.status.code == 2);
    CHECK(r.output.find(b.names) != std::string::npos);
  }
  auto help = run_grabber_command({"--help"});
  INFO(help.output);
  CHECK(help.status.code == 0);
  for (const char* flag :
       {"--stream-url",    "--stream-user",     "--stream-password", "--data-dir",
        "--server-url",    "--amarcord-url",    "--beamtime-id",     "--interval",
        "--delay-seconds", "--verify",          "--max-width",       "--max-height",
        "--max-part-size", "--connect-timeout", "--stall-timeout",   "--backoff-initial",
        "--backoff-max",   "--follow-interval", "--status-file",     "--durable",
        "--log-level",     "--config"})
    CHECK(help.output.find(flag) != std::string::npos);
  fs::remove_all(dir);
}

namespace {

// A systemd notify socket: a datagram socket the grabber sends its
// READY/WATCHDOG/STATUS/STOPPING messages to.
class NotifySocket {
 public:
  NotifySocket() : dir_(make_temp_dir("notify")), path_(dir_ / "notify.sock") {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const auto p = path_.string();
    REQUIRE(p.size() < sizeof(addr.sun_path));
    std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
    REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~NotifySocket() {
    ::close(fd_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path() const { return path_.string(); }
  // The next message, or nullopt after `timeout`.
  std::optional<std::string> receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  }

 private:
  fs::path dir_;
  fs::path path_;
  int fd_ = -1;
};

}  // namespace

TEST_CASE("grabber: systemd hears READY first, WATCHDOG pings, STATUS and STOPPING (6)",
          "[grabber][systemd]") {
  auto camera = start_camera(CameraScript{}, 50);
  NotifySocket notify;
  // A 400 ms watchdog: the grabber must ping at least every 200 ms.
  GrabberRun run(camera->url(), {},
                 {{"NOTIFY_SOCKET", notify.path()}, {"WATCHDOG_USEC", "400000"}});
  INFO(run.describe());
  std::vector<std::string> messages;
  const auto until = std::chrono::steady_clock::now() + 3s;
  int watchdog_pings = 0;
  bool streaming_status = false;
  while (std::chrono::steady_clock::now() < until) {
    auto m = notify.receive(500ms);
    REQUIRE(m.has_value());  // never 500 ms without a message: the watchdog would fire
    messages.push_back(*m);
    if (*m == "WATCHDOG=1") ++watchdog_pings;
    if (m->starts_with("STATUS=") && m->find("streaming") != std::string::npos)
      streaming_status = true;
  }
  INFO("messages: " << messages.size() << ", first: " << messages.front());
  // READY comes once, after the start-up STATUS and before any watchdog ping.
  const auto ready = std::find_if(messages.begin(), messages.end(), [](const std::string& m) {
    return m.find("READY=1") != std::string::npos;
  });
  const auto first_ping = std::find(messages.begin(), messages.end(), "WATCHDOG=1");
  CHECK(ready != messages.end());
  CHECK(ready < first_ping);
  CHECK(watchdog_pings >= 10);  // 3 s at one ping per 200 ms or more often
  CHECK(streaming_status);
  run.process().signal(SIGTERM);
  bool stopping = false;
  while (auto m = notify.receive(2s)) {
    if (m->find("STOPPING=1") != std::string::npos) {
      stopping = true;
      break;
    }
  }
  CHECK(stopping);
  REQUIRE(run.process().wait_exit(2500ms).has_value());
}
