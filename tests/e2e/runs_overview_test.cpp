// GET /api/runs-overview/{beamtimeId} end to end (api-runs-events-files.md
// R8, behaviour §11.38), with the port's decisions: the latest indexing
// result is the NEWEST online result of the latest run, statistics times are
// whole seconds since the run started, the data set's figures of merit
// average the best online result of each matching run, and the current
// shift includes overnight shifts in the night after their date.
#include <catch2/catch.hpp>

#include <cmath>
#include <thread>

#include "e2e/runs_helpers.hpp"

using namespace amarcord::test;
namespace json = boost::json;

namespace {

json::object overview(Api& api, long long bt) {
  return api.get_ok("/api/runs-overview/" + std::to_string(bt)).as_object();
}

double num(const json::value& v) {
  return v.to_number<double>();
}

json::object schedule_row(const std::string& date, const std::string& shift,
                          const std::string& users) {
  return {{"users", users}, {"date", date},       {"shift", shift},
          {"comment", "c"}, {"td_support", "td"}, {"chemicals", json::array{}}};
}

void post_schedule(Api& api, long long bt, const json::array& rows) {
  api.post_ok("/api/schedule", json::object{{"beamtime_id", bt}, {"schedule", rows}});
}

// Minutes since midnight (UTC) of an epoch-ms.
int minute_of_day(long long ms) {
  return static_cast<int>((ms / 60000) % 1440);
}

// Waits while the clock (shifted by `offset_ms`) is within two minutes of
// midnight, so that "today" cannot change during a check.
void avoid_midnight(long long offset_ms = 0) {
  while (minute_of_day(now_ms() + offset_ms) >= 1438)
    std::this_thread::sleep_for(std::chrono::seconds(5));
}

void insert_align_group(const TestDatabase& db, long long result_id, const std::string& group,
                        double x, double y, const std::string& z) {
  exec_sql(db,
           "INSERT INTO \"AlignDetectorGroup\" (indexing_result_id, \"group\", x_translation_mm, "
           "y_translation_mm, z_translation_mm, x_rotation_deg, y_rotation_deg) VALUES (" +
               std::to_string(result_id) + ", " + sql_quote(group) + ", " + std::to_string(x) +
               ", " + std::to_string(y) + ", " + z + ", NULL, NULL)");
}

}  // namespace

TEST_CASE("R8 of an empty beamtime", "[overview]") {
  Api api(shared_server());
  RunsFixture f(api, "R8 empty");
  auto ov = overview(api, f.bt);
  for (const auto* key : {"attributi", "experiment_types", "events", "chemicals", "user_config"}) {
    INFO(key);
    CHECK(ov.contains(key));
  }
  for (const auto* key : {"live_stream", "latest_indexing_result", "latest_run",
                          "foms_for_this_data_set", "current_beamtime_user"}) {
    INFO(key);
    CHECK_FALSE(ov.contains(key));
  }
  CHECK(ov.size() == 5);
  CHECK(ov.at("user_config") == json::parse("{\"online_crystfel\":false,\"auto_pilot\":false}"));
  std::vector<std::string> names;
  for (const auto& a : ov.at("attributi").as_array())
    names.emplace_back(a.at("name").as_string());
  CHECK(names == std::vector<std::string>{"auto_int", "cell description", "chan", "point group",
                                          "run_int", "run_string", "space group"});
  CHECK(ov.at("experiment_types").as_array().size() == 2);
  CHECK(ov.at("chemicals").as_array().size() == 1);
  CHECK(ov.at("events") == json::array{});

  set_experiment_type(api, f.bt, f.ets);
  set_auto_pilot(api, f.bt, true);
  CHECK(overview(api, f.bt).at("user_config") ==
        json::parse("{\"online_crystfel\":false,\"auto_pilot\":true,"
                    "\"current_experiment_type_id\":" +
                    std::to_string(f.ets) + "}"));
  require_422(api.get("/api/runs-overview/x"));
  auto unknown = api.get("/api/runs-overview/987654321");
  CHECK(unknown.status < 500);
}

TEST_CASE("R8 latest run is the one started last", "[overview]") {
  Api api(shared_server());
  RunsFixture f(api, "R8 latest");
  set_experiment_type(api, f.bt, f.etc);
  post_run(api, 5,
           run_body(f.bt, {value_str(f.run_string, "five")}, json::array{run_file("g")}, 10));
  post_run(api, 6, run_body(f.bt, {}, json::array{}, 5));
  auto ov = overview(api, f.bt);
  REQUIRE(ov.contains("latest_run"));
  const auto& run = ov.at("latest_run").as_object();
  CHECK(run.at("external_id") == 5);
  CHECK(run.at("started") == 10);
  CHECK(run.at("attributi") == json::array{value_str(f.run_string, "five")});
  CHECK(run.at("files").as_array().size() == 1);
  CHECK(is_empty_fom(run.at("summary")));
  CHECK(run.at("experiment_type_id") == f.etc);
  CHECK_FALSE(ov.contains("latest_indexing_result"));
  CHECK_FALSE(ov.contains("foms_for_this_data_set"));
}

TEST_CASE("R8 latest indexing result: the newest online result of the latest run", "[overview]") {
  Api api(shared_server());
  RunsFixture f(api, "R8 indexing");
  const auto target = create_attributo(api, f.bt, "target_frame_count", "run", integer_type());
  set_experiment_type(api, f.bt, f.etc);
  const long long started = utc_ms(2025, 1, 1, 0, 0, 0);
  const auto older_run = post_run(api, 1, run_body(f.bt, {}, json::array{}, started - 3600000))
                             .at("run_internal_id")
                             .as_int64();
  const auto run =
      post_run(api, 2, run_body(f.bt, {value_int(target, 1000)}, json::array{}, started))
          .at("run_internal_id")
          .as_int64();
  const auto online = insert_indexing_parameters(api.db(), true);
  const auto offline = insert_indexing_parameters(api.db(), false);
  // Only an offline result: no latest_indexing_result.
  insert_indexing_result(api.db(), run, offline, "DONE", 1000, 1000, 1000,
                         "2025-01-01 00:10:00.000000");
  insert_indexing_result(api.db(), older_run, online, "DONE", 10, 10, 10,
                         "2025-01-01 00:20:00.000000");
  CHECK_FALSE(overview(api, f.bt).contains("latest_indexing_result"));

  const auto old_result = insert_indexing_result(api.db(), run, online, "DONE", 200, 100, 20,
                                                 "2025-01-01 00:01:00.000000");
  insert_indexing_statistic(api.db(), old_result, "2025-01-01 00:00:10.000000", 1, 1, 1, 1);
  const auto new_result = insert_indexing_result(api.db(), run, online, "RUNNING", 400, 100, 50,
                                                 "2025-01-01 00:02:00.000000");
  insert_indexing_statistic(api.db(), new_result, "2025-01-01 00:00:30.000000", 100, 40, 10, 12);
  insert_indexing_statistic(api.db(), new_result, "2025-01-01 00:00:45.700000", 200, 60, 20, 25);
  insert_indexing_statistic(api.db(), new_result, "2025-01-02 00:00:05.000000", 400, 100, 50, 60);
  insert_indexing_statistic(api.db(), new_result, "2024-12-31 23:59:55.000000", 0, 0, 0, 0);
  insert_align_group(api.db(), new_result, "panel0", 0.5, -0.25, "NULL");
  insert_align_group(api.db(), new_result, "panel1", 1.0, 2.0, "3.5");
  // A newer offline result does not count.
  insert_indexing_result(api.db(), run, offline, "DONE", 7, 7, 7, "2025-01-01 00:30:00.000000");

  auto ov = overview(api, f.bt);
  REQUIRE(ov.contains("latest_indexing_result"));
  const auto& lir = ov.at("latest_indexing_result").as_object();
  CHECK(lir.at("indexing_result_id") == new_result);
  CHECK(lir.at("run_id") == run);
  CHECK(lir.at("running") == true);
  CHECK(lir.at("frames") == 400);
  CHECK(lir.at("total_frames") == 1000);
  const auto& foms = lir.at("foms").as_object();
  CHECK(num(foms.at("hit_rate")) == Approx(25.0));
  CHECK(num(foms.at("indexing_rate")) == Approx(50.0));
  CHECK(foms.at("indexed_frames") == 50);
  REQUIRE(foms.at("align_detector_groups").as_array().size() == 2);
  const auto& g0 = foms.at("align_detector_groups").at(0).as_object();
  CHECK(g0.at("group") == "panel0");
  CHECK(num(g0.at("x_translation_mm")) == 0.5);
  CHECK(num(g0.at("y_translation_mm")) == -0.25);
  CHECK_FALSE(g0.contains("z_translation_mm"));
  CHECK_FALSE(g0.contains("x_rotation_deg"));
  CHECK(num(foms.at("align_detector_groups").at(1).at("z_translation_mm")) == 3.5);
  std::vector<long long> times;
  for (const auto& s : lir.at("indexing_statistics").as_array()) {
    REQUIRE(s.at("time").is_int64());
    times.push_back(s.at("time").as_int64());
  }
  std::sort(times.begin(), times.end());
  CHECK(times == std::vector<long long>{-5, 30, 45, 86405});
  for (const auto& s : lir.at("indexing_statistics").as_array()) {
    if (s.at("time").as_int64() != 30) continue;
    CHECK(s == json::parse("{\"time\":30,\"frames\":100,\"hits\":40,\"indexed\":10,"
                           "\"crystals\":12}"));
  }
  // The latest run's summary is that result's figures of merit.
  CHECK(ov.at("latest_run").at("summary") == json::value(foms));

  // The newest is done now.
  const auto done = insert_indexing_result(api.db(), run, online, "DONE", 300, 30, 3,
                                           "2025-01-01 00:03:00.000000");
  ov = overview(api, f.bt);
  CHECK(ov.at("latest_indexing_result").at("indexing_result_id") == done);
  CHECK(ov.at("latest_indexing_result").at("running") == false);
  CHECK(ov.at("latest_indexing_result").at("indexing_statistics") == json::array{});
  CHECK(num(ov.at("latest_run").at("summary").at("hit_rate")) == Approx(10.0));
  CHECK(num(ov.at("latest_run").at("summary").at("indexing_rate")) == Approx(10.0));
}

TEST_CASE("R8 figures of merit of the latest run's data set (§11.38)", "[overview]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.38");
  set_experiment_type(api, f.bt, f.etc);
  const auto online = insert_indexing_parameters(api.db(), true);
  const auto offline = insert_indexing_parameters(api.db(), false);
  const auto run =
      post_run(api, 1, run_body(f.bt, {value_chemical(f.chan, f.lyso)}, json::array{}, 1000))
          .at("run_internal_id")
          .as_int64();
  insert_indexing_result(api.db(), run, online, "DONE", 200, 100, 20);
  // No data set yet.
  CHECK_FALSE(overview(api, f.bt).contains("foms_for_this_data_set"));
  const auto ds = api.post_ok("/api/data-sets/from-run", json::object{{"run_internal_id", run}})
                      .at("data_set_id")
                      .as_int64();
  auto ov = overview(api, f.bt);
  REQUIRE(ov.contains("foms_for_this_data_set"));
  auto fds = ov.at("foms_for_this_data_set").as_object();
  CHECK(fds.at("data_set").at("id") == ds);
  CHECK(fds.at("data_set").at("experiment_type_id") == f.etc);
  CHECK(fds.at("data_set").at("beamtime_id") == f.bt);
  CHECK(fds.at("data_set").at("attributi") == json::array{value_chemical(f.chan, f.lyso)});
  CHECK(num(fds.at("fom").at("hit_rate")) == Approx(50.0));
  CHECK(num(fds.at("fom").at("indexing_rate")) == Approx(20.0));
  CHECK(fds.at("fom").at("indexed_frames") == 20);
  CHECK(fds.at("fom").at("align_detector_groups") == json::array{});

  // More runs: per run the online result with the most indexed frames,
  // rates averaged, indexed frames summed; other data sets and offline
  // results do not count.
  insert_indexing_result(api.db(), run, online, "DONE", 100, 10, 5);
  insert_indexing_result(api.db(), run, offline, "DONE", 1000, 1000, 1000);
  const auto hen = create_chemical(api, f.bt, "hen");
  const auto other =
      post_run(api, 3, run_body(f.bt, {value_chemical(f.chan, hen)}, json::array{}, 1500))
          .at("run_internal_id")
          .as_int64();
  insert_indexing_result(api.db(), other, online, "DONE", 100, 100, 100);
  const auto latest =
      post_run(api, 2, run_body(f.bt, {value_chemical(f.chan, f.lyso)}, json::array{}, 2000))
          .at("run_internal_id")
          .as_int64();
  insert_indexing_result(api.db(), latest, online, "RUNNING", 400, 100, 50);
  ov = overview(api, f.bt);
  CHECK(ov.at("latest_run").at("external_id") == 2);
  fds = ov.at("foms_for_this_data_set").as_object();
  CHECK(fds.at("data_set").at("id") == ds);
  CHECK(num(fds.at("fom").at("hit_rate")) == Approx(37.5));
  CHECK(num(fds.at("fom").at("indexing_rate")) == Approx(35.0));
  CHECK(fds.at("fom").at("indexed_frames") == 70);

  // The latest run in no data set: no figures of merit.
  post_run(api, 4, run_body(f.bt, {value_chemical(f.chan, hen)}, json::array{}, 3000));
  ov = overview(api, f.bt);
  CHECK_FALSE(ov.contains("foms_for_this_data_set"));
  api.post_ok("/api/data-sets/from-run", json::object{{"run_internal_id", other}});
  ov = overview(api, f.bt);
  REQUIRE(ov.contains("foms_for_this_data_set"));
  CHECK(num(ov.at("foms_for_this_data_set").at("fom").at("hit_rate")) == Approx(100.0));
  CHECK(ov.at("foms_for_this_data_set").at("fom").at("indexed_frames") == 100);
  CHECK(num(ov.at("latest_run").at("summary").at("hit_rate")) == 0.0);

  // A data set none of whose runs has a result: the empty figures of merit.
  const auto empty = create_chemical(api, f.bt, "empty");
  const auto lonely =
      post_run(api, 5, run_body(f.bt, {value_chemical(f.chan, empty)}, json::array{}, 4000))
          .at("run_internal_id")
          .as_int64();
  api.post_ok("/api/data-sets/from-run", json::object{{"run_internal_id", lonely}});
  ov = overview(api, f.bt);
  REQUIRE(ov.contains("foms_for_this_data_set"));
  CHECK(is_empty_fom(ov.at("foms_for_this_data_set").at("fom")));
}

TEST_CASE("R8 current beamtime user from the schedule", "[overview]") {
  Api api(shared_server());
  avoid_midnight();
  const auto now = now_ms();
  const auto today = utc_date(now);
  const auto yesterday = utc_date(now - 86400000);
  const auto tomorrow = utc_date(now + 86400000);
  const auto minute = minute_of_day(now);
  // A shift of today that does not cover now.
  const std::string elsewhere = minute < 720 ? "13:00-14:00" : "01:00-02:00";

  const auto bt = create_beamtime(api, "shift");
  post_schedule(
      api, bt,
      {schedule_row(today, elsewhere, "carol"), schedule_row(yesterday, "00:00-23:59", "dave"),
       schedule_row(tomorrow, "00:00-23:59", "erin")});
  CHECK_FALSE(overview(api, bt).contains("current_beamtime_user"));
  post_schedule(
      api, bt,
      {schedule_row(today, elsewhere, "carol"), schedule_row(today, "00:00-23:59", "alice"),
       schedule_row(today, "00:00-23:59", "second match")});
  CHECK(overview(api, bt).at("current_beamtime_user") == "alice");

  // Overnight: yesterday 23:59 until today 23:58.
  const auto night = create_beamtime(api, "night shift");
  post_schedule(api, night, {schedule_row(yesterday, "23:59-23:58", "bob")});
  CHECK(overview(api, night).at("current_beamtime_user") == "bob");
  // An overnight shift starting today covers tonight only.
  const auto tonight = create_beamtime(api, "tonight");
  post_schedule(api, tonight, {schedule_row(today, "23:59-00:30", "frank")});
  CHECK_FALSE(overview(api, tonight).contains("current_beamtime_user"));
  // An overnight shift of two days ago is over.
  const auto old_night = create_beamtime(api, "old night");
  post_schedule(api, old_night,
                {schedule_row(utc_date(now - 2 * 86400000), "23:59-23:58", "gina")});
  CHECK_FALSE(overview(api, old_night).contains("current_beamtime_user"));
}

TEST_CASE("R8 current beamtime user uses the local date of AMARCORD_TZ", "[overview]") {
  // UTC+14 all year: the local date is tomorrow's UTC date from 10:00 UTC on.
  ServerOnFreshDb server({}, {{"AMARCORD_TZ", "Pacific/Kiritimati"}});
  Api api(server);
  constexpr long long kOffset = 14LL * 3600 * 1000;
  avoid_midnight(kOffset);
  avoid_midnight();
  const auto now = now_ms();
  const auto local_today = utc_date(now + kOffset);
  const auto local_minute = minute_of_day(now + kOffset);
  const auto bt = create_beamtime(api, "Kiritimati");
  char from[8], to[8];
  const int lo = std::max(0, local_minute - 30), hi = std::min(1439, local_minute + 30);
  std::snprintf(from, sizeof from, "%02d:%02d", lo / 60, lo % 60);
  std::snprintf(to, sizeof to, "%02d:%02d", hi / 60, hi % 60);
  post_schedule(api, bt, {schedule_row(local_today, std::string(from) + "-" + to, "local")});
  CHECK(overview(api, bt).at("current_beamtime_user") == "local");
  // The UTC wall clock does not count.
  const auto utc_minute = minute_of_day(now);
  if (std::abs(utc_minute - local_minute) > 60 || utc_date(now) != local_today) {
    const auto bt2 = create_beamtime(api, "Kiritimati UTC");
    const int ulo = std::max(0, utc_minute - 30), uhi = std::min(1439, utc_minute + 30);
    std::snprintf(from, sizeof from, "%02d:%02d", ulo / 60, ulo % 60);
    std::snprintf(to, sizeof to, "%02d:%02d", uhi / 60, uhi % 60);
    post_schedule(api, bt2, {schedule_row(utc_date(now), std::string(from) + "-" + to, "utc")});
    CHECK_FALSE(overview(api, bt2).contains("current_beamtime_user"));
  }
}
