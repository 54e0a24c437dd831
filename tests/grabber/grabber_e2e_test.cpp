// The real amarcord-grabber against the fake camera, one test case per way a
// camera in the field frames its stream (grabber-cases.md §2.5 cases 1-14).
// Each camera sends a fixed number of parts on one connection and then
// stays silent, so the counters must come out exact: every intact frame
// accepted, every damaged one rejected, none lost or merged, no reconnect,
// and the live file equal to the last intact frame the camera sent.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "grabber/grabber_helpers.hpp"

using namespace amarcord::test;
using namespace std::chrono_literals;

namespace {

struct Expected {
  long long ok = 0;
  long long rejected = 0;
  bool oversize_may_count = false;  // an oversize part may or may not count as rejected
};

// Plays `script` once (parts_per_connection parts, then silence) and checks
// the grabber's counters and live file.
void check_one_pass(CameraScript script, long parts, const Expected& expected,
                    std::map<std::string, std::string> settings = {}) {
  script.parts_per_connection = parts;
  script.ending = Ending::silence;
  auto camera = start_camera(script, 200);
  settings.emplace("stall-timeout", "30");  // the silence after the parts is no stall here
  settings.emplace("max-part-size", "1MiB");
  const bool decode = settings.count("verify") && settings.at("verify") == "decode";
  GrabberRun run(camera->url(), settings);
  // Whenever the live file is looked at while the parts come in, it is an
  // image the camera sent intact (in markers mode, one that passes the
  // marker check), never a damaged or partial one.
  std::atomic<bool> watching{true};
  std::atomic<long> reads{0}, bad_reads{0};
  std::thread watcher([&] {
    while (watching) {
      std::this_thread::sleep_for(1ms);  // a reader, not a CPU hog beside the grabber
      const auto live = run.read_live();
      if (live.empty()) continue;
      ++reads;
      if (!(decode ? camera->sent_valid(live) : camera->sent_marker_valid(live))) ++bad_reads;
    }
  });
  const long long seen = expected.ok + expected.rejected;
  const auto started = unix_ms_now();
  auto s = run.wait(
      [&](const GrabberStatus& st) { return st.frames_ok + st.frames_rejected >= seen; }, 15s);
  watching = false;
  watcher.join();
  INFO(run.describe());
  INFO("live file reads while streaming: " << reads << ", not a frame sent intact: " << bad_reads);
  CHECK(bad_reads == 0);
  REQUIRE(s.has_value());
  // The status is written every 2 s at least; a later one must not show more.
  std::this_thread::sleep_for(300ms);
  const auto last = run.status();
  INFO("final status: " << last.text);
  CHECK(last.frames_ok == expected.ok);
  if (expected.oversize_may_count) {
    CHECK(last.frames_rejected >= expected.rejected);
    CHECK(last.frames_rejected <= expected.rejected + 1);
  } else {
    CHECK(last.frames_rejected == expected.rejected);
  }
  CHECK(last.reconnects == 0);
  CHECK(last.state == "streaming");
  REQUIRE(last.beamtime_id.has_value());
  CHECK(*last.beamtime_id == 1);
  CHECK(last.pid == run.process().pid());
  REQUIRE(last.last_frame_at.has_value());
  CHECK(*last.last_frame_at >= started - 1000);
  CHECK(*last.last_frame_at <= unix_ms_now() + 1000);
  CHECK(last.frames_written >= 1);
  CHECK(last.frames_written <= last.frames_ok);
  CHECK(camera->connections() == 1);
  // The newest intact frame ends up in the live file, byte for byte.
  const auto want = camera->last_valid_sent();
  REQUIRE_FALSE(want.empty());
  CHECK(poll_until([&] { return run.read_live() == want; }, 3s));
  CHECK(camera->sent_valid(run.read_live()));
}

void check_clean(const std::string& name, std::map<std::string, std::string> settings = {}) {
  check_one_pass(scenario(name), 20, {20, 0}, std::move(settings));
}

}  // namespace

TEST_CASE("grabber: standard stream, boundary in the header, Content-Length per part (1)",
          "[grabber]") {
  check_clean("standard");
}

TEST_CASE("grabber: parts without Content-Length (2)", "[grabber]") {
  check_clean("no_content_length");
}

TEST_CASE("grabber: Content-Length too short resynchronises on the boundary (3)", "[grabber]") {
  check_clean("content_length_short");
}

TEST_CASE("grabber: Content-Length too long resynchronises on the boundary (3)", "[grabber]") {
  check_clean("content_length_long");
}

TEST_CASE("grabber: boundary=--x with parts delimited by --x (4)", "[grabber]") {
  check_clean("double_dash_boundary");
}

TEST_CASE("grabber: quoted boundary with spaces and extra parameters (5)", "[grabber]") {
  check_clean("quoted_boundary");
}

TEST_CASE("grabber: no boundary parameter, boundary sniffed from the body (6)", "[grabber]") {
  check_clean("no_boundary_param");
}

TEST_CASE("grabber: no boundary before the first part, Tasmota style (7)", "[grabber]") {
  check_clean("no_leading_boundary");
}

TEST_CASE("grabber: bare LF line endings (8)", "[grabber]") {
  check_clean("bare_lf");
}

TEST_CASE("grabber: no line end after the boundary, Viseron style (8)", "[grabber]") {
  check_clean("glued_headers");
}

TEST_CASE("grabber: extra part headers, mixed-case names, parts without Content-Type (9)",
          "[grabber]") {
  check_clean("extra_headers");
}

TEST_CASE("grabber: chunked encoding with chunk edges inside boundaries and markers (10)",
          "[grabber]") {
  check_clean("chunked");
}

TEST_CASE("grabber: chunked encoding without Content-Length (10)", "[grabber]") {
  check_clean("chunked_no_content_length");
}

TEST_CASE("grabber: JPEG bytes containing \\r\\n-- are not split there (12)", "[grabber]") {
  // No Content-Length: only the full delimiter may end a part.
  const auto& f = test_frames();
  REQUIRE(f.crlf_dash.find("\r\n--") != std::string::npos);
  REQUIRE(f.crlf_dash.find("\r\n--myboundary") == std::string::npos);
  REQUIRE(decodes_cleanly(f.crlf_dash));
  check_clean("crlf_dash");
}

TEST_CASE("grabber: no status line at all, raw multipart (17)", "[grabber]") {
  check_clean("no_status_line");
}

TEST_CASE("grabber: damaged frames are rejected and never shown, markers check (13, 14)",
          "[grabber]") {
  // good, missing EOI, good, duplicate EOI, padded, no SOI, good, zero
  // length, oversize (2 MiB > --max-part-size 1MiB), crlf_dash, truncated
  // (markers fine), good.
  auto script = scenario("bad_frames");
  long long ok = 0, rejected = 0;
  for (auto k : script.parts) {
    if (k == PartKind::oversize) continue;
    if (passes_markers(k))
      ++ok;
    else
      ++rejected;
  }
  REQUIRE(ok == 8);
  REQUIRE(rejected == 3);
  check_one_pass(script, static_cast<long>(script.parts.size()), {ok, rejected, true},
                 {{"verify", "markers"}});
}

TEST_CASE("grabber: --verify decode also rejects frames whose data is cut short (13)",
          "[grabber]") {
  auto script = scenario("bad_frames");
  long long ok = 0, rejected = 0;
  for (auto k : script.parts) {
    if (k == PartKind::oversize) continue;
    if (is_valid_kind(k))
      ++ok;
    else
      ++rejected;
  }
  REQUIRE(ok == 7);
  REQUIRE(rejected == 4);
  REQUIRE_FALSE(decodes_cleanly(truncated_with_eoi(test_frames().good[0])));
  check_one_pass(script, static_cast<long>(script.parts.size()), {ok, rejected, true},
                 {{"verify", "decode"}});
}

TEST_CASE("grabber: a 40 MiB part above the cap is dropped without buffering it (14)",
          "[grabber]") {
  CameraScript script;
  script.parts = {PartKind::good, PartKind::oversize, PartKind::good};
  script.parts_per_connection = 3;
  script.ending = Ending::silence;
  FakeCameraOptions o;
  o.scripts = {script};
  o.oversize_bytes = 40u << 20;
  FakeCamera camera(o, test_frames());
  GrabberRun run(camera.url(), {{"stall-timeout", "30"}, {"max-part-size", "1MiB"}});
  auto s = run.wait([](const GrabberStatus& st) { return st.frames_ok >= 2; }, 15s);
  INFO(run.describe());
  REQUIRE(s.has_value());
  CHECK(s->frames_ok == 2);
  CHECK(s->frames_rejected <= 1);
  const auto proc = sample_process(run.process().pid());
  INFO("peak RSS " << proc.peak_kib << " KiB");
  CHECK(proc.peak_kib < 30 * 1024);
  CHECK(poll_until([&] { return run.read_live() == camera.last_valid_sent(); }, 3s));
}
