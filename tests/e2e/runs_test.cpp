// /api/runs, /api/runs-bulk, change-for-run and data-sets/from-run end to end
// (api-runs-events-files.md R1-R6, R12, X1, X2 and behaviours §11.1-15, 18,
// 21, 22, 39), with the port's decisions: duplicate run numbers are refused,
// R3 does not duplicate known files and honours is_utc on updates, values
// must belong to the beamtime, R6 changes values without a new experiment
// type, and every "not found" is a 4xx.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <thread>

#include "e2e/runs_helpers.hpp"

using namespace amarcord::test;
namespace json = boost::json;

namespace {

std::string bt_s(long long bt) {
  return std::to_string(bt);
}

std::string run_modified(const TestDatabase& db, long long run_id) {
  const bool mysql = db.engine() == amarcord::db::Backend::mysql;
  return query_string(db, std::string("SELECT CAST(modified AS ") + (mysql ? "CHAR" : "TEXT") +
                              ") FROM \"Run\" WHERE id = " + std::to_string(run_id));
}

json::object patch_run_body(long long id, long long et, const json::array& values,
                            std::optional<json::array> files = std::nullopt,
                            bool delete_dependent = false) {
  json::object b{{"id", id},
                 {"experiment_type_id", et},
                 {"attributi", values},
                 {"delete_dependent_objects", delete_dependent}};
  if (files) b["files"] = *files;
  return b;
}

json::object bulk_body(long long bt, const std::vector<long long>& ids,
                       const json::array& values = {},
                       std::optional<long long> new_type = std::nullopt) {
  json::array a;
  for (auto i : ids)
    a.emplace_back(i);
  json::object b{{"beamtime_id", bt},
                 {"external_run_ids", a},
                 {"attributi", values},
                 {"delete_dependent_objects", false}};
  if (new_type) b["new_experiment_type_id"] = *new_type;
  return b;
}

json::array data_sets_of(Api& api, long long bt) {
  return api.get_ok("/api/data-sets/" + bt_s(bt)).at("data_sets").as_array();
}

}  // namespace

// ---- R1 / R3: no experiment type ------------------------------------------------------

TEST_CASE("R1 and R3 without a current experiment type are 400 (§11.1)", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.1");
  const auto before = db_snapshot(api.db());
  const std::string expected = "{\"detail\":\"Cannot create run, no experiment type set!\"}";
  auto r3 = api.post(run_url(1000), run_body(f.bt, {}, json::array{}, 1));
  CHECK(require_400(r3) == "Cannot create run, no experiment type set!");
  CHECK(r3.body == expected);
  auto r1 = api.get("/api/runs/1000/start/" + bt_s(f.bt));
  CHECK(require_400(r1) == "Cannot create run, no experiment type set!");
  CHECK(r1.body == expected);
  // A beamtime that does not exist has no configuration either.
  CHECK(require_400(api.post(run_url(1000), run_body(987654321, {}, json::array{}, 1))) ==
        "Cannot create run, no experiment type set!");
  CHECK(require_400(api.get("/api/runs/1000/start/987654321")) ==
        "Cannot create run, no experiment type set!");
  require_unchanged(api.db(), before);
  CHECK(read_runs(api, f.bt).at("runs").as_array().empty());
}

// ---- R3 -------------------------------------------------------------------------------

TEST_CASE("R3 creates a run, then updates it (§11.2-4)", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.2");
  set_experiment_type(api, f.bt, f.etc);
  auto r =
      api.post(run_url(1000), run_body(f.bt, {value_str(f.run_string, "foo")}, json::array{}, 1));
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto created = r.json().as_object();
  REQUIRE(created.at("run_created").is_bool());
  CHECK(created.at("run_created").as_bool());
  REQUIRE(created.at("run_internal_id").is_int64());
  const auto internal = created.at("run_internal_id").as_int64();
  CHECK(internal > 0);
  CHECK(created.at("files") == json::array{});
  for (const auto* key :
       {"indexing_result_id", "new_indexing_parameters_id", "error_message", "new_data_set_id"}) {
    INFO(key);
    CHECK_FALSE(created.contains(key));
  }
  CHECK(created.size() == 3);
  CHECK(internal == run_internal_id(api.db(), f.bt, 1000));

  auto listing = read_runs(api, f.bt);
  REQUIRE(listing.at("runs").as_array().size() == 1);
  const auto run = listing.at("runs").at(0).as_object();
  CHECK(run.at("id") == internal);
  CHECK(run.at("external_id") == 1000);
  CHECK(run.at("started") == 1);
  CHECK(run.at("started_local") == 1);
  CHECK_FALSE(run.contains("stopped"));
  CHECK_FALSE(run.contains("stopped_local"));
  CHECK(run.at("experiment_type_id") == f.etc);
  CHECK(run.at("attributi") == json::array{value_str(f.run_string, "foo")});
  CHECK(run.at("files") == json::array{});
  CHECK(is_empty_fom(run.at("summary")));
  CHECK(run.size() == 8);
  const auto modified_before = run_modified(api.db(), internal);

  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto updated = post_run(
      api, 1000, run_body(f.bt, {value_str(f.run_string, "foo2")}, std::nullopt, std::nullopt, 2));
  REQUIRE(updated.at("run_created").is_bool());
  CHECK_FALSE(updated.at("run_created").as_bool());
  CHECK(updated.at("run_internal_id") == internal);
  CHECK(updated.at("files") == json::array{});
  const auto after = find_run(api, f.bt, 1000);
  CHECK(after.at("started") == 1);
  CHECK(after.at("stopped") == 2);
  CHECK(after.at("stopped_local") == 2);
  CHECK(after.at("attributi") == json::array{value_str(f.run_string, "foo2")});
  CHECK(after.at("experiment_type_id") == f.etc);
  CHECK(run_modified(api.db(), internal) != modified_before);
  CHECK(count_rows(api.db(), "Run", "beamtime_id = " + bt_s(f.bt)) == 1);
}

TEST_CASE("R3 appends new files and skips known ones; started:null keeps started (§11.5)",
          "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.5");
  set_experiment_type(api, f.bt, f.etc);
  post_run(api, 7, run_body(f.bt, {}, json::array{}, 1000));
  auto one = post_run(api, 7, run_body(f.bt, {}, json::array{run_file("hehe", "h5")}));
  REQUIRE(one.at("files").as_array().size() == 1);
  const auto& file = one.at("files").at(0);
  REQUIRE(file.at("id").is_int64());
  CHECK(file.at("glob") == "hehe");
  CHECK(file.at("source") == "h5");
  const auto file_id = file.at("id").as_int64();
  CHECK(find_run(api, f.bt, 7).at("started") == 1000);

  // The same file again: not recorded twice (the original duplicated it).
  auto again = post_run(api, 7, run_body(f.bt, {}, json::array{run_file("hehe", "h5", 99)}));
  REQUIRE(again.at("files").as_array().size() == 1);
  CHECK(again.at("files").at(0).at("id") == file_id);

  // New ones are appended in order; same glob with another source is new.
  auto more = post_run(api, 7,
                       run_body(f.bt, {},
                                json::array{run_file("hehe", "h5"), run_file("hehe", "raw"),
                                            run_file("hoho", "h5"), run_file("hoho", "h5")}));
  const auto run = find_run(api, f.bt, 7);
  CHECK(globs_of(run) == std::vector<std::string>{"hehe", "hehe", "hoho"});
  CHECK(run.at("files").at(1).at("source") == "raw");
  CHECK(run.at("files").at(0).at("id") == file_id);
  CHECK(more.at("files") == run.at("files"));
  // An empty list appends nothing.
  CHECK(post_run(api, 7, run_body(f.bt, {}, json::array{})).at("files") == run.at("files"));
  CHECK(count_rows(api.db(), "RunHasFiles",
                   "run_id = " + std::to_string(run_internal_id(api.db(), f.bt, 7))) == 3);
  CHECK(find_run(api, f.bt, 7).at("started") == 1000);
}

TEST_CASE("R3 without started uses now; values may be given on create", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "R3 now");
  set_experiment_type(api, f.bt, f.ets);
  const auto before = now_ms();
  post_run(api, 1,
           run_body(f.bt, {value_int(f.run_int, -5), value_chemical(f.chan, f.lyso),
                           value_int(f.auto_int, 9)}));
  const auto after = now_ms();
  const auto run = find_run(api, f.bt, 1);
  const auto started = run.at("started").as_int64();
  CHECK(started >= before - 1);
  CHECK(started <= after + 1);
  // AMARCORD_TZ=UTC; _local values are rounded, UTC ones truncated (§0.2).
  CHECK(std::abs(run.at("started_local").as_int64() - started) <= 1);
  CHECK(run.at("experiment_type_id") == f.ets);
  CHECK(value_in(run, f.run_int) == json::value(value_int(f.run_int, -5)));
  CHECK(value_in(run, f.chan) == json::value(value_chemical(f.chan, f.lyso)));
  CHECK(value_in(run, f.auto_int) == json::value(value_int(f.auto_int, 9)));
  CHECK(run.at("attributi").as_array().size() == 3);
}

TEST_CASE("R3 is_utc:false means wall-clock time in AMARCORD_TZ, on create and update", "[runs]") {
  ServerOnFreshDb server({}, {{"AMARCORD_TZ", "Europe/Berlin"}});
  Api api(server);
  RunsFixture f(api, "is_utc");
  set_experiment_type(api, f.bt, f.etc);
  // Summer: CEST = UTC+2.
  auto body = run_body(f.bt, {}, json::array{}, utc_ms(2025, 7, 1, 12));
  body["is_utc"] = false;
  post_run(api, 1, body);
  auto run = find_run(api, f.bt, 1);
  CHECK(run.at("started") == utc_ms(2025, 7, 1, 10));
  CHECK(run.at("started_local") == utc_ms(2025, 7, 1, 12));
  const auto id = run.at("id").as_int64();
  const auto modified = run_modified(api.db(), id);

  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto update = run_body(f.bt, {}, std::nullopt, utc_ms(2025, 1, 15, 12), utc_ms(2025, 1, 15, 13));
  update["is_utc"] = false;  // winter: CET = UTC+1
  post_run(api, 1, update);
  run = find_run(api, f.bt, 1);
  CHECK(run.at("started") == utc_ms(2025, 1, 15, 11));
  CHECK(run.at("started_local") == utc_ms(2025, 1, 15, 12));
  CHECK(run.at("stopped") == utc_ms(2025, 1, 15, 12));
  CHECK(run.at("stopped_local") == utc_ms(2025, 1, 15, 13));
  CHECK(run_modified(api.db(), id) != modified);

  // is_utc true (the default) on update: taken as UTC.
  post_run(api, 1, run_body(f.bt, {}, std::nullopt, std::nullopt, utc_ms(2025, 1, 15, 14)));
  run = find_run(api, f.bt, 1);
  CHECK(run.at("stopped") == utc_ms(2025, 1, 15, 14));
  CHECK(run.at("stopped_local") == utc_ms(2025, 1, 15, 15));
  CHECK(run.at("started") == utc_ms(2025, 1, 15, 11));
}

TEST_CASE("R3 values must be run attributi of the same beamtime (§11.13)", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.13");
  RunsFixture other(api, "§11.13 other");
  set_experiment_type(api, f.bt, f.etc);
  post_run(api, 1, run_body(f.bt, {value_str(f.run_string, "keep")}, json::array{}, 1));
  const auto before = db_snapshot(api.db());

  auto r = api.post(run_url(2), run_body(f.bt, {value_str(99999, "x")}, json::array{}, 1));
  CHECK(require_400(r) == "attributo with ID 99999 not found in list of run attributi");
  CHECK(r.body == "{\"detail\":\"attributo with ID 99999 not found in list of run attributi\"}");
  for (const auto id : {other.run_string, f.cell, kBeyond32Bits}) {
    for (const long long ext : {1LL, 2LL}) {  // update and create
      INFO("attributo " << id << ", run " << ext);
      const auto d = require_400(api.post(
          run_url(ext), run_body(f.bt, {value_str(f.run_string, "changed"), value_str(id, "x")})));
      CHECK(d == "attributo with ID " + std::to_string(id) + " not found in list of run attributi");
    }
  }
  require_unchanged(api.db(), before);
  CHECK(value_in(find_run(api, f.bt, 1), f.run_string) ==
        json::value(value_str(f.run_string, "keep")));
}

TEST_CASE("R3 value types are validated (§11.14)", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.14");
  RunsFixture other(api, "§11.14 other");
  set_experiment_type(api, f.bt, f.etc);
  post_run(api, 1, run_body(f.bt, {value_int(f.run_int, 1)}, json::array{}, 1));
  const auto before = db_snapshot(api.db());
  const std::vector<std::pair<std::string, json::object>> cases = {
      {"int as string", value_str(f.run_int, "3")},
      {"string as int", value_int(f.run_string, 3)},
      {"int as bool", value_bool(f.run_int, true)},
      {"int as float", value_float(f.run_int, 2.5)},
      {"chemical as string", value_str(f.chan, "lyso")},
      {"chemical of another beamtime", value_chemical(f.chan, other.lyso)},
      {"unknown chemical", value_chemical(f.chan, 987654321)},
      {"two keys",
       {{"attributo_id", f.run_int}, {"attributo_value_int", 1}, {"attributo_value_str", "x"}}},
  };
  for (const auto& [what, value] : cases) {
    for (const long long ext : {1LL, 2LL}) {
      INFO(what << ", run " << ext);
      const auto attributo = value.at("attributo_id").as_int64();
      const auto d = require_400(api.post(run_url(ext), run_body(f.bt, {value})));
      CHECK(d.starts_with("error validating attributi: attributo " + std::to_string(attributo) +
                          ":"));
    }
  }
  // The same attributo twice is refused too.
  require_400(
      api.post(run_url(1), run_body(f.bt, {value_int(f.run_int, 2), value_int(f.run_int, 3)})));
  require_unchanged(api.db(), before);
}

TEST_CASE("R3 request errors are 422 and write nothing (§11.15)", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.15");
  set_experiment_type(api, f.bt, f.etc);
  const auto before = db_snapshot(api.db());
  auto missing = require_422(api.post(run_url(1), json::object{{"attributi", json::array{}}}));
  CHECK(missing[0].at("loc") == json::array{"body", "beamtime_id"});
  CHECK(missing[0].at("type") == "missing");
  auto no_values = require_422(api.post(run_url(1), json::object{{"beamtime_id", f.bt}}));
  CHECK(no_values[0].at("loc") == json::array{"body", "attributi"});
  auto bad_started = run_body(f.bt);
  bad_started["started"] = "yesterday";
  require_422(api.post(run_url(1), bad_started));
  auto bad_files = run_body(f.bt);
  bad_files["files"] = json::array{json::object{{"glob", "x"}}};
  require_422(api.post(run_url(1), bad_files));
  auto bad_value = run_body(f.bt, {json::object{{"attributo_value_str", "x"}}});
  require_422(api.post(run_url(1), bad_value));
  require_422(api.post("/api/runs/abc", run_body(f.bt)));
  require_422(api.request("POST", run_url(1), "{not json", {{"Content-Type", "application/json"}}));
  require_unchanged(api.db(), before);
}

TEST_CASE("R3 create_data_set (§11.18)", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.18");
  set_experiment_type(api, f.bt, f.etc);
  auto body = run_body(f.bt, {value_chemical(f.chan, f.lyso)}, json::array{}, 1);
  body["create_data_set"] = true;
  const auto first = post_run(api, 1, body);
  REQUIRE(first.contains("new_data_set_id"));
  REQUIRE(first.at("new_data_set_id").is_int64());
  const auto ds = first.at("new_data_set_id").as_int64();
  auto sets = data_sets_of(api, f.bt);
  REQUIRE(sets.size() == 1);
  CHECK(sets[0].at("id") == ds);
  CHECK(sets[0].at("experiment_type_id") == f.etc);
  CHECK(sets[0].at("attributi") == json::array{value_chemical(f.chan, f.lyso)});

  // An equal data set exists: none is created, the key is omitted.
  const auto second = post_run(api, 2, body);
  CHECK(second.at("run_created") == true);
  CHECK_FALSE(second.contains("new_data_set_id"));
  CHECK_FALSE(post_run(api, 1, body).contains("new_data_set_id"));
  CHECK(data_sets_of(api, f.bt).size() == 1);

  // The run lacks the experiment type's attributo: 400, and not even the run is created.
  const auto before = db_snapshot(api.db());
  auto lacking = run_body(f.bt, {value_str(f.run_string, "x")}, json::array{}, 1);
  lacking["create_data_set"] = true;
  const auto d = require_400(api.post(run_url(3), lacking));
  CHECK(d.find("chan") != std::string::npos);
  require_unchanged(api.db(), before);
  CHECK(run_internal_id(api.db(), f.bt, 3) == 0);
}

TEST_CASE("R3: concurrent creates of one run number make one run", "[runs]") {
  auto& server = shared_server();
  Api api(server);
  RunsFixture f(api, "R3 race");
  set_experiment_type(api, f.bt, f.etc);
  const auto body = json::serialize(run_body(f.bt, {}, json::array{run_file("a")}, 1));
  const auto answers = concurrently(server, 8, [&](HttpClient& c, int) {
    return c.request("POST", run_url(500), body, {{"Content-Type", "application/json"}});
  });
  int created = 0;
  std::set<long long> ids;
  for (const auto& a : answers) {
    INFO(a.status << " " << a.body);
    REQUIRE(a.status == 200);
    const auto j = a.json();
    if (j.at("run_created").as_bool()) ++created;
    ids.insert(j.at("run_internal_id").as_int64());
    CHECK(j.at("files").as_array().size() == 1);
  }
  CHECK(created == 1);
  CHECK(ids.size() == 1);
  CHECK(count_rows(api.db(), "Run", "beamtime_id = " + bt_s(f.bt)) == 1);
  CHECK(count_rows(api.db(), "RunHasFiles", "run_id = " + std::to_string(*ids.begin())) == 1);
}

TEST_CASE("R1: concurrent starts of one run number make one run", "[runs]") {
  auto& server = shared_server();
  Api api(server);
  RunsFixture f(api, "R1 race");
  set_experiment_type(api, f.bt, f.etc);
  const auto answers = concurrently(
      server, 8, [&](HttpClient& c, int) { return c.get("/api/runs/900/start/" + bt_s(f.bt)); });
  int ok = 0;
  for (const auto& a : answers) {
    INFO(a.status << " " << a.body);
    CHECK((a.status == 200 || a.status == 400));
    if (a.status == 200) ++ok;
  }
  CHECK(ok == 1);
  CHECK(count_rows(api.db(), "Run", "beamtime_id = " + bt_s(f.bt)) == 1);
}

// ---- R1 / R2 --------------------------------------------------------------------------

TEST_CASE("R1 starts a run now; a run number that exists is 400", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "R1");
  set_experiment_type(api, f.bt, f.ets);
  const auto before_ms = now_ms();
  const auto r = api.get_ok("/api/runs/17/start/" + bt_s(f.bt)).as_object();
  const auto after_ms = now_ms();
  REQUIRE(r.size() == 1);
  REQUIRE(r.at("run_internal_id").is_int64());
  CHECK(r.at("run_internal_id") == run_internal_id(api.db(), f.bt, 17));
  const auto run = find_run(api, f.bt, 17);
  CHECK(run.at("started").as_int64() >= before_ms - 1);
  CHECK(run.at("started").as_int64() <= after_ms + 1);
  CHECK_FALSE(run.contains("stopped"));
  CHECK(run.at("experiment_type_id") == f.ets);
  CHECK(run.at("files") == json::array{});
  CHECK(run.at("attributi") == json::array{});

  const auto before = db_snapshot(api.db());
  const auto d = require_400(api.get("/api/runs/17/start/" + bt_s(f.bt)));
  CHECK(d.find("17") != std::string::npos);
  require_422(api.get("/api/runs/x/start/" + bt_s(f.bt)));
  require_422(api.get("/api/runs/17/start/x"));
  require_unchanged(api.db(), before);
  // The same number in another beamtime is another run.
  RunsFixture g(api, "R1 other");
  set_experiment_type(api, g.bt, g.etc);
  api.get_ok("/api/runs/17/start/" + bt_s(g.bt));
  CHECK(count_rows(
            api.db(), "Run",
            "external_id = 17 AND beamtime_id IN (" + bt_s(f.bt) + ", " + bt_s(g.bt) + ")") == 2);
}

TEST_CASE("R2 stops the latest run by start time (§11.10)", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.10");
  CHECK(api.get("/api/runs/stop-latest/" + bt_s(f.bt)).body == "{\"result\":false}");
  CHECK(api.get("/api/runs/stop-latest/987654321").body == "{\"result\":false}");
  set_experiment_type(api, f.bt, f.etc);
  post_run(api, 5, run_body(f.bt, {}, json::array{}, 10));  // latest by start time
  post_run(api, 6, run_body(f.bt, {}, json::array{}, 5));
  const auto before = now_ms();
  CHECK(api.get("/api/runs/stop-latest/" + bt_s(f.bt)).body == "{\"result\":true}");
  const auto after = now_ms();
  const auto five = find_run(api, f.bt, 5);
  REQUIRE(five.contains("stopped"));
  CHECK(five.at("stopped").as_int64() >= before - 1);
  CHECK(five.at("stopped").as_int64() <= after + 1);
  CHECK_FALSE(find_run(api, f.bt, 6).contains("stopped"));

  api.get_ok("/api/runs/7/start/" + bt_s(f.bt));
  CHECK(api.get_ok("/api/runs/stop-latest/" + bt_s(f.bt)) == json::parse("{\"result\":true}"));
  const auto seven = find_run(api, f.bt, 7);
  REQUIRE(seven.contains("stopped"));
  CHECK(seven.at("stopped").as_int64() >= seven.at("started").as_int64());
  require_422(api.get("/api/runs/stop-latest/x"));
}

// ---- auto-pilot ------------------------------------------------------------------------

TEST_CASE("auto-pilot copies the latest run's manual values (§11.11, §11.12)", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.11");
  set_experiment_type(api, f.bt, f.etc);
  set_auto_pilot(api, f.bt, true);
  const auto start = api.get_ok("/api/runs/1000/start/" + bt_s(f.bt));
  const auto id = start.at("run_internal_id").as_int64();
  api.patch_ok("/api/runs",
               patch_run_body(id, f.etc,
                              {value_str(f.run_string, "testvalue"), value_int(f.auto_int, 1337),
                               value_chemical(f.chan, f.lyso)}));
  api.get_ok("/api/runs/stop-latest/" + bt_s(f.bt));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));

  post_run(api, 2000, run_body(f.bt, {}));
  auto run = find_run(api, f.bt, 2000);
  CHECK(value_in(run, f.run_string) == json::value(value_str(f.run_string, "testvalue")));
  CHECK(value_in(run, f.chan) == json::value(value_chemical(f.chan, f.lyso)));
  CHECK(value_in(run, f.auto_int).is_null());  // automatic values are not copied
  CHECK(run.at("attributi").as_array().size() == 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));

  // What the request gives beats the copy.
  post_run(api, 1003, run_body(f.bt, {value_str(f.run_string, "new")}));
  run = find_run(api, f.bt, 1003);
  CHECK(value_in(run, f.run_string) == json::value(value_str(f.run_string, "new")));
  CHECK(value_in(run, f.chan) == json::value(value_chemical(f.chan, f.lyso)));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));

  // R1 copies too, from the latest run (1003).
  api.get_ok("/api/runs/3000/start/" + bt_s(f.bt));
  run = find_run(api, f.bt, 3000);
  CHECK(value_in(run, f.run_string) == json::value(value_str(f.run_string, "new")));
  CHECK(run.at("attributi").as_array().size() == 2);

  // Updates never copy.
  post_run(api, 2000, run_body(f.bt, {value_int(f.run_int, 1)}));
  CHECK(find_run(api, f.bt, 2000).at("attributi").as_array().size() == 3);

  set_auto_pilot(api, f.bt, false);
  post_run(api, 4000, run_body(f.bt, {}));
  CHECK(find_run(api, f.bt, 4000).at("attributi") == json::array{});
}

// ---- R4 -------------------------------------------------------------------------------

TEST_CASE("R4 replaces files and the given values, keeps the rest (§11.6, §11.7)", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.6");
  set_experiment_type(api, f.bt, f.etc);
  const auto created =
      post_run(api, 1,
               run_body(f.bt, {value_str(f.run_string, "x"), value_int(f.run_int, 3)},
                        json::array{run_file("hehe", "h5"), run_file("hoho", "h5")}, 1));
  const auto id = created.at("run_internal_id").as_int64();
  const auto first_file = created.at("files").at(0).at("id").as_int64();

  const auto r = api.patch_ok("/api/runs",
                              patch_run_body(id, f.etc, {},
                                             json::array{run_file("hehemodified", "h5", first_file),
                                                         run_file("oh", "raw2", 0)}))
                     .as_object();
  CHECK(r.at("result") == true);
  CHECK(r.at("deleted_objects") == 0);
  REQUIRE(r.at("files").as_array().size() == 2);
  CHECK(r.at("files").at(0).at("glob") == "hehemodified");
  CHECK(r.at("files").at(1).at("glob") == "oh");
  CHECK(r.at("files").at(1).at("source") == "raw2");
  CHECK(r.at("files").at(0).at("id").is_int64());
  CHECK(r.size() == 3);
  auto run = find_run(api, f.bt, 1);
  CHECK(globs_of(run) == std::vector<std::string>{"hehemodified", "oh"});
  CHECK(run.at("files") == r.at("files"));
  CHECK(run.at("attributi").as_array().size() == 2);

  // files null or absent: untouched.
  auto with_null = patch_run_body(id, f.etc, {value_int(f.run_int, 4)});
  with_null["files"] = nullptr;
  CHECK(api.patch_ok("/api/runs", with_null).at("files") == run.at("files"));
  api.patch_ok("/api/runs", patch_run_body(id, f.ets, {}));
  run = find_run(api, f.bt, 1);
  CHECK(globs_of(run) == std::vector<std::string>{"hehemodified", "oh"});
  CHECK(value_in(run, f.run_int) == json::value(value_int(f.run_int, 4)));
  CHECK(value_in(run, f.run_string) == json::value(value_str(f.run_string, "x")));
  CHECK(run.at("experiment_type_id") == f.ets);

  // An empty list removes every file.
  CHECK(api.patch_ok("/api/runs", patch_run_body(id, f.ets, {}, json::array{})).at("files") ==
        json::array{});
  CHECK(find_run(api, f.bt, 1).at("files") == json::array{});
  CHECK(count_rows(api.db(), "RunHasFiles", "run_id = " + std::to_string(id)) == 0);
}

TEST_CASE("R4 refusals are 4xx and change nothing", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "R4 refusals");
  RunsFixture other(api, "R4 refusals other");
  set_experiment_type(api, f.bt, f.etc);
  const auto id =
      post_run(api, 1, run_body(f.bt, {value_int(f.run_int, 3)}, json::array{run_file("a")}, 1))
          .at("run_internal_id")
          .as_int64();
  const auto before = db_snapshot(api.db());
  for (const long long unknown : {987654321LL, kBeyond32Bits}) {
    require_404(api.patch("/api/runs", patch_run_body(unknown, f.etc, {}, json::array{})));
  }
  require_400(api.patch("/api/runs", patch_run_body(id, other.etc, {}, json::array{})));
  require_400(api.patch("/api/runs", patch_run_body(id, 987654321, {}, json::array{})));
  CHECK(require_400(api.patch(
            "/api/runs",
            patch_run_body(id, f.etc, {value_str(other.run_string, "x")}, json::array{}))) ==
        "attributo with ID " + std::to_string(other.run_string) +
            " not found in list of run attributi");
  CHECK(require_400(api.patch("/api/runs", patch_run_body(id, f.etc, {value_str(f.run_int, "3")},
                                                          json::array{})))
            .starts_with("error validating attributi: attributo " + std::to_string(f.run_int)));
  CHECK(require_400(
            api.patch("/api/runs", patch_run_body(id, f.etc, {value_chemical(f.chan, other.lyso)},
                                                  json::array{})))
            .starts_with("error validating attributi: "));
  auto missing = patch_run_body(id, f.etc, {});
  missing.erase("delete_dependent_objects");
  require_422(api.patch("/api/runs", missing));
  auto bad_files = patch_run_body(id, f.etc, {});
  bad_files["files"] = "x";
  require_422(api.patch("/api/runs", bad_files));
  require_unchanged(api.db(), before);
}

// ---- R7 ordering, R12 --------------------------------------------------------------------

TEST_CASE("R7 orders runs by external id, not by start (§11.8)", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.8");
  set_experiment_type(api, f.bt, f.etc);
  post_run(api, 1000, run_body(f.bt, {}, json::array{}, 5));
  post_run(api, 1001, run_body(f.bt, {}, json::array{}, 1));
  post_run(api, 999, run_body(f.bt, {}, json::array{}, 10));
  CHECK(external_ids(read_runs(api, f.bt)) == std::vector<long long>{1001, 1000, 999});
}

TEST_CASE("R12 deletes a run by external id with everything attached (§11.9)", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.9");
  RunsFixture other(api, "§11.9 other");
  set_experiment_type(api, f.bt, f.etc);
  set_experiment_type(api, other.bt, other.etc);
  const auto doomed =
      post_run(api, 1000,
               run_body(f.bt, {value_str(f.run_string, "x"), value_chemical(f.chan, f.lyso)},
                        json::array{run_file("a"), run_file("b")}, 1))
          .at("run_internal_id")
          .as_int64();
  const auto kept =
      post_run(api, 1001,
               run_body(f.bt, {value_str(f.run_string, "y")}, json::array{run_file("c")}, 2))
          .at("run_internal_id")
          .as_int64();
  const auto same_number = post_run(api, 1000,
                                    run_body(other.bt, {value_str(other.run_string, "z")},
                                             json::array{run_file("d")}, 1))
                               .at("run_internal_id")
                               .as_int64();
  const auto params = insert_indexing_parameters(api.db(), true);
  const auto result = insert_indexing_result(api.db(), doomed, params, "DONE", 10, 5, 2);
  insert_indexing_statistic(api.db(), result, "2025-01-01 00:00:01.000000", 1, 1, 1, 1);
  const auto kept_result = insert_indexing_result(api.db(), kept, params, "DONE", 10, 5, 2);
  const auto d = std::to_string(doomed);

  CHECK(api.del("/api/runs/" + bt_s(f.bt) + "/1000", nullptr).body == "{\"result\":true}");
  CHECK(external_ids(read_runs(api, f.bt)) == std::vector<long long>{1001});
  CHECK(count_rows(api.db(), "Run", "id = " + d) == 0);
  CHECK(count_rows(api.db(), "RunHasAttributoValue", "run_id = " + d) == 0);
  CHECK(count_rows(api.db(), "RunHasFiles", "run_id = " + d) == 0);
  CHECK(count_rows(api.db(), "IndexingResult", "run_id = " + d) == 0);
  CHECK(count_rows(api.db(), "IndexingResultHasStatistic",
                   "indexing_result_id = " + std::to_string(result)) == 0);
  // Everything else stays.
  CHECK(count_rows(api.db(), "RunHasAttributoValue", "run_id = " + std::to_string(kept)) == 1);
  CHECK(count_rows(api.db(), "RunHasFiles", "run_id = " + std::to_string(kept)) == 1);
  CHECK(count_rows(api.db(), "IndexingResult", "id = " + std::to_string(kept_result)) == 1);
  CHECK(count_rows(api.db(), "Run", "id = " + std::to_string(same_number)) == 1);
  CHECK(count_rows(api.db(), "RunHasFiles", "run_id = " + std::to_string(same_number)) == 1);
  CHECK(count_rows(api.db(), "Chemical", "id = " + std::to_string(f.lyso)) == 1);

  const auto before = db_snapshot(api.db());
  CHECK(api.del("/api/runs/" + bt_s(f.bt) + "/1000", nullptr).body == "{\"result\":true}");
  CHECK(api.del("/api/runs/987654321/1001", nullptr).body == "{\"result\":true}");
  CHECK(api.request("DELETE", "/api/runs/" + bt_s(f.bt) + "/424242").body == "{\"result\":true}");
  require_422(api.request("DELETE", "/api/runs/" + bt_s(f.bt) + "/x"));
  require_unchanged(api.db(), before);
}

// ---- R5 / R6 ----------------------------------------------------------------------------

TEST_CASE("R5 reads the distinct values of several runs, lists included (§11.21)", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.21");
  const auto tags = create_attributo(api, f.bt, "tags", "run", array_type("string"));
  set_experiment_type(api, f.bt, f.etc);
  post_run(api, 1, run_body(f.bt, {value_str(f.run_string, "foo"), value_int(f.run_int, 3)}));
  post_run(api, 2,
           run_body(f.bt, {value_str(f.run_string, "bar"), value_int(f.run_int, 4),
                           json::object{{"attributo_id", tags},
                                        {"attributo_value_list_str", json::array{"a", "b"}}}}));
  post_run(api, 3, run_body(f.bt, {value_int(f.run_int, 4)}));
  post_run(api, 4, run_body(f.bt, {value_str(f.run_string, "bar")}));
  post_run(api, 5, run_body(f.bt, {value_str(f.run_string, "not selected")}));
  const auto before = db_snapshot(api.db());

  const auto r =
      api.post_ok("/api/runs-bulk", json::object{{"beamtime_id", f.bt},
                                                 {"external_run_ids", json::array{1, 2, 3, 4, 77}}})
          .as_object();
  CHECK(r.size() == 5);
  // Run attributi by name.
  std::vector<std::string> names;
  for (const auto& a : r.at("attributi").as_array()) {
    CHECK(a.at("associated_table") == "run");
    names.emplace_back(a.at("name").as_string());
  }
  CHECK(names == std::vector<std::string>{"auto_int", "chan", "run_int", "run_string", "tags"});
  // Values of every attributo (run and chemical), by attributo name.
  std::map<long long, std::vector<json::value>> values;
  std::vector<long long> order;
  for (const auto& e : r.at("attributi_values").as_array()) {
    order.push_back(e.at("attributo_id").as_int64());
    for (const auto& v : e.at("values").as_array())
      values[e.at("attributo_id").as_int64()].push_back(v);
  }
  CHECK(order == std::vector<long long>{f.auto_int, f.cell, f.chan, f.point_group, f.run_int,
                                        f.run_string, f.space_group, tags});
  const auto as_set = [](const std::vector<json::value>& vs) {
    std::set<std::string> s;
    for (const auto& v : vs)
      s.insert(json::serialize(v));
    return s;
  };
  CHECK(as_set(values[f.run_string]) ==
        std::set<std::string>{json::serialize(value_str(f.run_string, "foo")),
                              json::serialize(value_str(f.run_string, "bar"))});
  CHECK(values[f.run_string].size() == 2);
  CHECK(as_set(values[f.run_int]) ==
        std::set<std::string>{json::serialize(value_int(f.run_int, 3)),
                              json::serialize(value_int(f.run_int, 4))});
  CHECK(values[f.run_int].size() == 2);
  CHECK(values[f.chan].empty());
  REQUIRE(values[tags].size() == 1);
  CHECK(values[tags][0] == json::parse("{\"attributo_id\":" + std::to_string(tags) +
                                       ",\"attributo_value_list_str\":[\"a\",\"b\"]}"));
  CHECK(r.at("experiment_type_ids") == json::array{f.etc});
  CHECK(r.at("experiment_types").as_array().size() == 2);
  REQUIRE(r.at("chemicals").as_array().size() == 1);
  CHECK(r.at("chemicals").at(0).at("id") == f.lyso);
  require_422(api.post("/api/runs-bulk", json::object{{"beamtime_id", f.bt}}));
  require_unchanged(api.db(), before);
}

TEST_CASE("R6 changes values and the experiment type of several runs (§11.22)", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.22");
  RunsFixture other(api, "§11.22 other");
  set_experiment_type(api, f.bt, f.etc);
  post_run(api, 1, run_body(f.bt, {value_chemical(f.chan, f.lyso), value_str(f.run_string, "a")}));
  post_run(api, 2, run_body(f.bt, {value_int(f.run_int, 1)}));
  post_run(api, 3, run_body(f.bt, {value_str(f.run_string, "untouched")}));

  CHECK(api.patch("/api/runs-bulk",
                  bulk_body(f.bt, {1, 2, 99}, {value_str(f.run_string, "qux")}, f.ets))
            .body == "{\"result\":true}");
  auto one = find_run(api, f.bt, 1);
  auto two = find_run(api, f.bt, 2);
  CHECK(one.at("experiment_type_id") == f.ets);
  CHECK(two.at("experiment_type_id") == f.ets);
  CHECK(value_in(one, f.run_string) == json::value(value_str(f.run_string, "qux")));
  CHECK(value_in(two, f.run_string) == json::value(value_str(f.run_string, "qux")));
  CHECK(value_in(one, f.chan) == json::value(value_chemical(f.chan, f.lyso)));
  CHECK(value_in(two, f.chan).is_null());
  CHECK(value_in(two, f.run_int) == json::value(value_int(f.run_int, 1)));
  auto three = find_run(api, f.bt, 3);
  CHECK(three.at("experiment_type_id") == f.etc);
  CHECK(value_in(three, f.run_string) == json::value(value_str(f.run_string, "untouched")));

  // Without a new experiment type the values still change (the original did nothing).
  CHECK(api.patch_ok("/api/runs-bulk", bulk_body(f.bt, {2, 3}, {value_int(f.run_int, 7)})) ==
        json::parse("{\"result\":true}"));
  CHECK(value_in(find_run(api, f.bt, 2), f.run_int) == json::value(value_int(f.run_int, 7)));
  three = find_run(api, f.bt, 3);
  CHECK(value_in(three, f.run_int) == json::value(value_int(f.run_int, 7)));
  CHECK(three.at("experiment_type_id") == f.etc);
  auto null_type = bulk_body(f.bt, {1}, {value_int(f.run_int, 8)});
  null_type["new_experiment_type_id"] = nullptr;
  api.patch_ok("/api/runs-bulk", null_type);
  CHECK(value_in(find_run(api, f.bt, 1), f.run_int) == json::value(value_int(f.run_int, 8)));
  CHECK(find_run(api, f.bt, 1).at("experiment_type_id") == f.ets);

  const auto before = db_snapshot(api.db());
  require_400(
      api.patch("/api/runs-bulk", bulk_body(f.bt, {1, 2}, {value_int(f.run_int, 9)}, other.ets)));
  require_400(
      api.patch("/api/runs-bulk", bulk_body(f.bt, {1, 2}, {value_int(f.run_int, 9)}, 987654321)));
  CHECK(require_400(api.patch("/api/runs-bulk",
                              bulk_body(f.bt, {1, 2}, {value_str(other.run_string, "x")}))) ==
        "attributo with ID " + std::to_string(other.run_string) +
            " not found in list of run attributi");
  CHECK(require_400(
            api.patch("/api/runs-bulk", bulk_body(f.bt, {1, 2}, {value_int(f.run_string, 1)})))
            .starts_with("error validating attributi: attributo " + std::to_string(f.run_string)));
  require_400(
      api.patch("/api/runs-bulk", bulk_body(f.bt, {1}, {value_chemical(f.chan, other.lyso)})));
  auto missing = bulk_body(f.bt, {1});
  missing.erase("delete_dependent_objects");
  require_422(api.patch("/api/runs-bulk", missing));
  require_unchanged(api.db(), before);
}

// ---- X1 / X2 ------------------------------------------------------------------------------

TEST_CASE("X1 changes a run's experiment type and the current one (§11.39)", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.39");
  RunsFixture other(api, "§11.39 other");
  set_experiment_type(api, f.bt, f.etc);
  const auto id =
      post_run(api, 1,
               run_body(f.bt, {value_str(f.run_string, "s"), value_int(f.run_int, 1),
                               value_chemical(f.chan, f.lyso), value_int(f.auto_int, 2)}))
          .at("run_internal_id")
          .as_int64();
  const auto before = db_snapshot(api.db());
  CHECK(api.post("/api/experiment-types/change-for-run",
                 json::object{{"run_internal_id", id}, {"experiment_type_id", nullptr}})
            .body == "{\"result\":false}");
  CHECK(api.post("/api/experiment-types/change-for-run", json::object{{"run_internal_id", id}})
            .body == "{\"result\":false}");
  require_404(
      api.post("/api/experiment-types/change-for-run",
               json::object{{"run_internal_id", 987654321}, {"experiment_type_id", f.ets}}));
  require_400(api.post("/api/experiment-types/change-for-run",
                       json::object{{"run_internal_id", id}, {"experiment_type_id", other.ets}}));
  require_400(api.post("/api/experiment-types/change-for-run",
                       json::object{{"run_internal_id", id}, {"experiment_type_id", 987654321}}));
  require_422(api.post("/api/experiment-types/change-for-run",
                       json::object{{"experiment_type_id", f.ets}}));
  require_unchanged(api.db(), before);

  CHECK(api.post("/api/experiment-types/change-for-run",
                 json::object{{"run_internal_id", id}, {"experiment_type_id", f.ets}})
            .body == "{\"result\":true}");
  const auto run = find_run(api, f.bt, 1);
  CHECK(run.at("experiment_type_id") == f.ets);
  // Manual values outside the new type go; automatic ones and members stay.
  CHECK(value_in(run, f.run_string) == json::value(value_str(f.run_string, "s")));
  CHECK(value_in(run, f.auto_int) == json::value(value_int(f.auto_int, 2)));
  CHECK(value_in(run, f.run_int).is_null());
  CHECK(value_in(run, f.chan).is_null());
  CHECK(api.get("/api/user-config/" + bt_s(f.bt) + "/current-experiment-type-id").body ==
        "{\"value_int\":" + std::to_string(f.ets) + "}");
  // New runs get it.
  CHECK(find_run(api, f.bt, 1).at("experiment_type_id") == f.ets);
  post_run(api, 2, run_body(f.bt));
  CHECK(find_run(api, f.bt, 2).at("experiment_type_id") == f.ets);
}

TEST_CASE("X2 makes a data set from a run", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "X2");
  set_experiment_type(api, f.bt, f.etc);
  const auto id =
      post_run(api, 1, run_body(f.bt, {value_chemical(f.chan, f.lyso), value_int(f.run_int, 5)}))
          .at("run_internal_id")
          .as_int64();
  const auto before = db_snapshot(api.db());
  require_404(api.post("/api/data-sets/from-run", json::object{{"run_internal_id", 987654321}}));
  require_404(
      api.post("/api/data-sets/from-run", json::object{{"run_internal_id", kBeyond32Bits}}));
  require_422(api.post("/api/data-sets/from-run", json::object{}));
  require_unchanged(api.db(), before);

  const auto r = api.post_ok("/api/data-sets/from-run", json::object{{"run_internal_id", id}});
  REQUIRE(r.as_object().size() == 1);
  REQUIRE(r.at("data_set_id").is_int64());
  const auto sets = data_sets_of(api, f.bt);
  REQUIRE(sets.size() == 1);
  CHECK(sets[0].at("id") == r.at("data_set_id"));
  CHECK(sets[0].at("experiment_type_id") == f.etc);
  CHECK(sets[0].at("attributi") == json::array{value_chemical(f.chan, f.lyso)});
}

TEST_CASE("run numbers beyond 32 bits and out-of-range times", "[runs]") {
  Api api(shared_server());
  RunsFixture f(api, "big numbers");
  set_experiment_type(api, f.bt, f.etc);
  const auto created = post_run(api, kBeyond32Bits, run_body(f.bt, {}, json::array{}, 1));
  CHECK(created.at("run_created") == true);
  CHECK(external_ids(read_runs(api, f.bt)) == std::vector<long long>{kBeyond32Bits});
  CHECK(external_ids(read_runs(api, f.bt, "runRanges=2999999999-3000000001")) ==
        std::vector<long long>{kBeyond32Bits});
  CHECK(external_ids(read_runs(api, f.bt, "filter=id%20%3E%202999999999")) ==
        std::vector<long long>{kBeyond32Bits});
  api.get_ok("/api/runs/" + std::to_string(kBeyond32Bits + 1) + "/start/" + bt_s(f.bt));
  CHECK(find_run(api, f.bt, kBeyond32Bits + 1).at("external_id") == kBeyond32Bits + 1);
  api.del_ok("/api/runs/" + bt_s(f.bt) + "/" + std::to_string(kBeyond32Bits), nullptr);
  CHECK(external_ids(read_runs(api, f.bt)) == std::vector<long long>{kBeyond32Bits + 1});

  // Times the database cannot hold are 422; nothing is written.
  const auto before = db_snapshot(api.db());
  for (const long long t : {253402300800000LL, -62135596800001LL, 9223372036854775807LL}) {
    INFO("time " << t);
    require_422(api.post(run_url(5), run_body(f.bt, {}, json::array{}, t)));
    require_422(api.post(run_url(5), run_body(f.bt, {}, json::array{}, 1, t)));
    require_422(
        api.post(run_url(kBeyond32Bits + 1), run_body(f.bt, {}, std::nullopt, std::nullopt, t)));
  }
  require_unchanged(api.db(), before);
  auto dt = create_attributo(api, f.bt, "when", "run", datetime_type());
  const auto with_dt = db_snapshot(api.db());
  auto r = api.post(run_url(6), run_body(f.bt, {value_datetime(dt, 253402300800000LL)}));
  CHECK(r.status >= 400);
  require_unchanged(api.db(), with_dt);
}

TEST_CASE("date-time values: _local takes precedence and follows AMARCORD_TZ", "[runs]") {
  ServerOnFreshDb server({}, {{"AMARCORD_TZ", "Europe/Berlin"}});
  Api api(server);
  RunsFixture f(api, "datetime values");
  const auto when = create_attributo(api, f.bt, "when", "run", datetime_type());
  set_experiment_type(api, f.bt, f.etc);
  post_run(
      api, 1,
      run_body(f.bt, {json::object{{"attributo_id", when},
                                   {"attributo_value_datetime", 5},
                                   {"attributo_value_datetime_local", utc_ms(2025, 7, 1, 12)}}}));
  auto v = value_in(find_run(api, f.bt, 1), when);
  CHECK(v.at("attributo_value_datetime") == utc_ms(2025, 7, 1, 10));
  CHECK(v.at("attributo_value_datetime_local") == utc_ms(2025, 7, 1, 12));
  post_run(api, 1, run_body(f.bt, {value_datetime(when, utc_ms(2025, 1, 15, 8))}));
  v = value_in(find_run(api, f.bt, 1), when);
  CHECK(v.at("attributo_value_datetime") == utc_ms(2025, 1, 15, 8));
  CHECK(v.at("attributo_value_datetime_local") == utc_ms(2025, 1, 15, 9));
  CHECK(v.as_object().size() == 3);
}
