// The grabber with the real amarcord-server (grabber-cases.md §2.5 case 21,
// api-runs-events-files.md §7): it follows the active beamtime
// (start <= now < end in true UTC), switches when another becomes active,
// goes idle when none is, keeps its target while the server is down, and
// its image is what the run overview (R8) and GET /api/files serve. Both
// sinks: the server's data directory, and POST /api/live-stream/{id}.
//
// The server runs in UTC+14 (Pacific/Kiritimati), so a beamtime's local
// wall-clock times differ from its true UTC times by 14 h: a grabber that
// compared the *_local fields with the current time would pick the wrong one.
#include <signal.h>

#include <catch2/catch.hpp>

#include <thread>

#include "grabber/grabber_helpers.hpp"
#include "support/fixtures.hpp"

using namespace amarcord::test;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr long long kHour = 3600 * 1000;
constexpr long long kOffset = 14 * kHour;  // Pacific/Kiritimati, no DST

const std::map<std::string, std::string> kServerEnv = {{"AMARCORD_TZ", "Pacific/Kiritimati"}};

json::object beamtime(const std::string& name, long long start_utc, long long end_utc,
                      long long id = 0) {
  auto b = beamtime_body(name, start_utc + kOffset, end_utc + kOffset);
  b["id"] = id;
  return b;
}

long long create(HttpClient& c, const std::string& name, long long start_utc, long long end_utc) {
  auto r = c.post("/api/beamtimes", beamtime(name, start_utc, end_utc));
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto j = r.json();
  // The server must see these as the intended true UTC times.
  REQUIRE(j.at("start").as_int64() == start_utc);
  return j.at("id").as_int64();
}

void set_times(HttpClient& c, long long id, const std::string& name, long long start_utc,
               long long end_utc) {
  auto r = c.patch("/api/beamtimes", beamtime(name, start_utc, end_utc, id));
  INFO(r.body);
  REQUIRE(r.status == 200);
}

fs::path live_in(const fs::path& data_dir, long long bt) {
  return data_dir / "live" / ("live-stream-image-" + std::to_string(bt));
}

// The live image as the server shows it: R8's live_stream.file_id, then
// GET /api/files/{id}. Empty when the overview has no live_stream.
std::string served_live_image(HttpClient& c, long long bt) {
  auto ov = c.get("/api/runs-overview/" + std::to_string(bt));
  if (ov.status != 200) return {};
  const auto o = ov.json().as_object();
  if (!o.contains("live_stream") || o.at("live_stream").is_null()) return {};
  const auto id = o.at("live_stream").at("file_id").as_int64();
  auto f = c.get("/api/files/" + std::to_string(id));
  return f.status == 200 ? f.body : std::string();
}

}  // namespace

TEST_CASE("grabber follower: active beamtime, switch, idle, server down (21)",
          "[grabber][follower]") {
  ServerOnFreshDb server({}, kServerEnv);
  auto c = server.client();
  const auto now = unix_ms_now();
  const auto a = create(c, "A", now - kHour, now + kHour);
  const auto b = create(c, "B", now + 2 * kHour, now + 3 * kHour);  // not yet

  auto camera = start_camera(CameraScript{}, 30);
  const auto status_file = server.data_dir / "live" / "grabber-status.json";
  auto grabber = GrabberProcess::start(
      {"--stream-url", camera->url(), "--server-url",
       "http://127.0.0.1:" + std::to_string(server.server->port()), "--data-dir",
       server.data_dir.string(), "--follow-interval", "0.2", "--interval", "0", "--stall-timeout",
       "2", "--backoff-initial", "0.1", "--backoff-max", "1", "--log-level", "debug"},
      status_file);
  INFO(grabber->log());

  // A is active: its image appears and the server serves it.
  auto s = grabber->wait_status(
      [&](const GrabberStatus& st) { return st.beamtime_id == a && st.frames_written >= 3; }, 15s);
  REQUIRE(s.has_value());
  CHECK(s->state == "streaming");
  CHECK(camera->sent_valid(read_file_bytes(live_in(server.data_dir, a))));
  CHECK_FALSE(fs::exists(live_in(server.data_dir, b)));
  CHECK(poll_until([&] { return camera->sent_valid(served_live_image(c, a)); }, 5s));

  // A ends, B starts: the grabber switches; A's last image stays.
  set_times(c, a, "A", now - kHour, unix_ms_now() - 1000);
  set_times(c, b, "B", unix_ms_now() - 1000, now + 3 * kHour);
  s = grabber->wait_status(
      [&](const GrabberStatus& st) { return st.beamtime_id == b && st.state == "streaming"; }, 10s);
  REQUIRE(s.has_value());
  const auto written_at_switch = s->frames_written;
  REQUIRE(grabber->wait_status(
      [&](const GrabberStatus& st) { return st.frames_written >= written_at_switch + 3; }, 10s));
  CHECK(camera->sent_valid(read_file_bytes(live_in(server.data_dir, b))));
  const auto last_a = read_file_bytes(live_in(server.data_dir, a));
  CHECK(camera->sent_valid(last_a));
  CHECK(poll_until([&] { return camera->sent_valid(served_live_image(c, b)); }, 5s));

  // Two active beamtimes: the one with the latest start wins.
  const auto later = create(c, "C", unix_ms_now() - 500, now + 3 * kHour);
  REQUIRE(grabber->wait_status(
      [&](const GrabberStatus& st) { return st.beamtime_id == later && st.frames_written > 0; },
      10s));
  REQUIRE(poll_until(
      [&] { return camera->sent_valid(read_file_bytes(live_in(server.data_dir, later))); }, 5s));

  // None active: idle, camera connection closed, no more writes.
  set_times(c, b, "B", now - kHour, unix_ms_now() - 1000);
  set_times(c, later, "C", now - kHour, unix_ms_now() - 1000);
  s = grabber->wait_status([](const GrabberStatus& st) { return st.state == "idle"; }, 10s);
  REQUIRE(s.has_value());
  CHECK_FALSE(s->beamtime_id.has_value());
  CHECK(poll_until([&] { return camera->open_connections() == 0; }, 3s));
  const auto idle_written = grabber->status()->frames_written;
  const auto idle_parts = camera->parts_sent();
  std::this_thread::sleep_for(1s);
  CHECK(grabber->status()->frames_written == idle_written);
  CHECK(camera->parts_sent() == idle_parts);
  CHECK(read_file_bytes(live_in(server.data_dir, a)) == last_a);

  // A active again, then the server goes away: the grabber keeps its
  // target and keeps writing.
  set_times(c, a, "A", now - kHour, now + kHour);
  s = grabber->wait_status(
      [&](const GrabberStatus& st) { return st.beamtime_id == a && st.state == "streaming"; }, 10s);
  REQUIRE(s.has_value());
  REQUIRE(server.server->stop(SIGTERM).code == 0);
  const auto before_down = grabber->status()->frames_written;
  s = grabber->wait_status(
      [&](const GrabberStatus& st) { return st.frames_written >= before_down + 20; }, 10s);
  REQUIRE(s.has_value());
  CHECK(s->beamtime_id == a);
  CHECK(s->state == "streaming");

  grabber->signal(SIGTERM);
  auto st = grabber->wait_exit(2500ms);
  REQUIRE(st.has_value());
  CHECK(st->code == 0);
  CHECK(temp_files(server.data_dir / "live").empty());
}

TEST_CASE("grabber HTTP sink: POST /api/live-stream/{id} to the server, following (5b)",
          "[grabber][follower]") {
  ServerOnFreshDb server({}, kServerEnv);
  auto c = server.client();
  const auto now = unix_ms_now();
  const auto a = create(c, "A", now - kHour, now + kHour);
  auto camera = start_camera(CameraScript{}, 30);
  const auto work = make_temp_dir("grabber-http-sink");
  auto grabber = GrabberProcess::start(
      {"--stream-url", camera->url(), "--amarcord-url",
       "http://127.0.0.1:" + std::to_string(server.server->port()), "--status-file",
       (work / "status.json").string(), "--follow-interval", "0.2", "--delay-seconds", "0.2"},
      work / "status.json");
  INFO(grabber->log());
  auto s = grabber->wait_status(
      [&](const GrabberStatus& st) { return st.beamtime_id == a && st.frames_written >= 5; }, 15s);
  REQUIRE(s.has_value());
  CHECK(s->frames_ok > s->frames_written);  // 30 fps in, at most 5 writes/s out
  // The server stored what the grabber posted, and serves it.
  CHECK(camera->sent_valid(read_file_bytes(live_in(server.data_dir, a))));
  CHECK(poll_until([&] { return camera->sent_valid(served_live_image(c, a)); }, 5s));
  // The upload keeps one File row (same id) while the image changes.
  auto ov1 = c.get("/api/runs-overview/" + std::to_string(a)).json();
  std::this_thread::sleep_for(600ms);
  auto ov2 = c.get("/api/runs-overview/" + std::to_string(a)).json();
  CHECK(ov1.at("live_stream").at("file_id") == ov2.at("live_stream").at("file_id"));
  CHECK(ov2.at("live_stream").at("modified").as_int64() >
        ov1.at("live_stream").at("modified").as_int64());

  grabber->signal(SIGTERM);
  auto st = grabber->wait_exit(2500ms);
  REQUIRE(st.has_value());
  CHECK(st->code == 0);
  fs::remove_all(work);
}
