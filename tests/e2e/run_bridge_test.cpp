// The run-bridge's conversation replayed call by call (api-runs-events-
// files.md §10): its generated client parses answers strictly (StrictInt,
// StrictBool) and the bridge exits on any non-2xx or any answer slower than
// 5 s, so every answer is checked for its exact JSON types.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "e2e/runs_helpers.hpp"

using namespace amarcord::test;
namespace json = boost::json;

namespace {

const std::map<std::string, std::string> kBridgeHeaders = {
    {"Content-Type", "application/json"},
    {"Authorization", "Basic YnJpZGdlOnNlY3JldA=="},
    {"User-Agent", "OpenAPI-Generator/1.0.0/python"}};

// One bridge request: 200 within 5 s with a JSON object.
json::object bridge_call(Api& api, const std::string& method, const std::string& target,
                         const std::string& body = "") {
  const auto start = std::chrono::steady_clock::now();
  auto r = api.request(method, target, body, kBridgeHeaders);
  const auto took = std::chrono::steady_clock::now() - start;
  INFO(method << " " << target << " " << body.substr(0, 500) << " → " << r.status << " "
              << r.body.substr(0, 1000));
  REQUIRE(r.status == 200);
  CHECK(took < std::chrono::seconds(5));
  CHECK(r.header("content-type") == "application/json");
  const auto j = r.json();
  REQUIRE(j.is_object());
  return j.as_object();
}

// JsonCreateOrUpdateRunOutput as the generated client parses it.
void check_run_answer(const json::object& a, bool created, std::size_t files) {
  INFO(json::serialize(a));
  REQUIRE(a.contains("run_created"));
  REQUIRE(a.at("run_created").is_bool());
  CHECK(a.at("run_created").as_bool() == created);
  REQUIRE(a.contains("run_internal_id"));
  CHECK(a.at("run_internal_id").is_int64());
  CHECK_FALSE(a.contains("error_message"));
  CHECK_FALSE(a.contains("indexing_result_id"));
  REQUIRE(a.at("files").is_array());
  CHECK(a.at("files").as_array().size() == files);
  for (const auto& f : a.at("files").as_array()) {
    CHECK(f.at("id").is_int64());
    CHECK(f.at("glob").is_string());
    CHECK(f.at("source").is_string());
  }
}

}  // namespace

TEST_CASE("the run bridge's calls, replayed (§10)", "[runs][bridge]") {
  Api api(shared_server());
  RunsFixture f(api, "bridge");
  const auto preexisting =
      create_attributo(api, f.bt, "frames", "run", integer_type(), "automatic");
  set_experiment_type(api, f.bt, f.etc);
  const auto bt = std::to_string(f.bt);

  // 1. The beamtimes, parsed strictly.
  const auto beamtimes = bridge_call(api, "GET", "/api/beamtimes");
  bool found = false;
  for (const auto& b : beamtimes.at("beamtimes").as_array()) {
    const auto& o = b.as_object();
    for (const auto* key : {"id", "start", "end"}) {
      INFO(key);
      CHECK(o.at(key).is_int64());
    }
    for (const auto* key :
         {"external_id", "proposal", "beamline", "title", "comment", "analysis_output_path"}) {
      INFO(key);
      CHECK(o.at(key).is_string());
    }
    CHECK(o.at("chemical_names").is_array());
    if (o.at("id").as_int64() == f.bt) found = true;
  }
  CHECK(found);
  // 2. Its external id fills the raw-file path template.
  const auto beamtime = bridge_call(api, "GET", "/api/beamtimes/" + bt);
  REQUIRE(beamtime.at("external_id").is_string());
  const std::string raw_dir = "/asap3/petra3/gpfs/p11/2025/data/" +
                              std::string(beamtime.at("external_id").as_string()) + "/raw";
  // 3. Name → id.
  std::map<std::string, long long> ids;
  const auto listed = bridge_call(api, "GET", "/api/attributi/" + bt);
  for (const auto& a : listed.at("attributi").as_array())
    ids[std::string(a.at("name").as_string())] = a.at("id").as_int64();
  CHECK(ids.at("frames") == preexisting);
  // 4. Only the missing attributi are created.
  const std::vector<std::pair<std::string, json::object>> wanted = {
      {"frames", integer_type()},
      {"exposure_time", number_type()},
      {"detector_distance", {{"type", "number"}, {"suffix", "mm"}}},
      {"sample_position", string_type()},
      {"shutter_open", boolean_type()},
      {"trigger_time", datetime_type()}};
  json::array schema;
  for (const auto& [name, type] : wanted) {
    if (ids.count(name)) continue;
    schema.push_back(json::object{
        {"attributo_name", name}, {"description", "from the bridge"}, {"attributo_type", type}});
  }
  CHECK(schema.size() == 5);
  const auto created = bridge_call(
      api, "POST", "/api/attributi/schema",
      json::serialize(json::object{{"beamtime_id", f.bt}, {"attributi_schema", schema}}));
  CHECK(created.at("created_attributi").is_int64());
  ids.clear();
  const auto relisted = bridge_call(api, "GET", "/api/attributi/" + bt);
  for (const auto& a : relisted.at("attributi").as_array())
    ids[std::string(a.at("name").as_string())] = a.at("id").as_int64();
  for (const auto& [name, type] : wanted) {
    INFO(name);
    CHECK(ids.count(name) == 1);
  }

  // 5. Measuring starts: the create, with the raw files.
  const long long started = (now_ms() / 1000) * 1000 - 60000;
  const long long trigger = started + 123;
  const auto values = [&](int tick) {
    return json::array{
        json::object{{"attributo_id", ids["frames"]}, {"attributo_value_int", 100 * tick}},
        json::object{{"attributo_id", ids["exposure_time"]}, {"attributo_value_float", 2}},
        json::object{{"attributo_id", ids["detector_distance"]},
                     {"attributo_value_float", 150.25 + tick}},
        json::object{{"attributo_id", ids["sample_position"]},
                     {"attributo_value_str", "pos " + std::to_string(tick)}},
        json::object{{"attributo_id", ids["shutter_open"]},
                     {"attributo_value_bool", tick % 2 == 0}},
        json::object{{"attributo_id", ids["trigger_time"]}, {"attributo_value_datetime", trigger}},
        json::object{{"attributo_id", f.chan}, {"attributo_value_chemical", f.lyso}}};
  };
  const std::string glob = raw_dir + "/run-42/*.h5";
  json::object create{{"beamtime_id", f.bt},
                      {"attributi", values(0)},
                      {"files", json::array{run_file(glob, "raw", 0)}},
                      {"started", started},
                      {"create_data_set", false}};
  auto answer = bridge_call(api, "POST", "/api/runs/42", json::serialize(create));
  check_run_answer(answer, true, 1);
  const auto internal = answer.at("run_internal_id").as_int64();
  const auto file_id = answer.at("files").at(0).at("id").as_int64();
  CHECK(answer.at("files").at(0).at("glob") == json::value(glob));
  CHECK(answer.at("files").at(0).at("source") == "raw");

  // 6. Updates with all current values, `started` each time, no files.
  for (int tick = 1; tick <= 10; ++tick) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    json::object update{{"beamtime_id", f.bt},
                        {"attributi", values(tick)},
                        {"files", json::array{}},
                        {"started", started},
                        {"create_data_set", false}};
    answer = bridge_call(api, "POST", "/api/runs/42", json::serialize(update));
    check_run_answer(answer, false, 1);
    CHECK(answer.at("run_internal_id") == internal);
    CHECK(answer.at("files").at(0).at("id") == file_id);
  }
  // 7. The stop.
  const long long stopped = started + 45000;
  json::object stop{{"beamtime_id", f.bt}, {"attributi", values(11)}, {"files", json::array{}},
                    {"started", started},  {"stopped", stopped},      {"create_data_set", false}};
  answer = bridge_call(api, "POST", "/api/runs/42", json::serialize(stop));
  check_run_answer(answer, false, 1);

  const auto run = find_run(api, f.bt, 42);
  CHECK(run.at("id") == internal);
  CHECK(run.at("started") == started);
  CHECK(run.at("stopped") == stopped);
  CHECK(run.at("started_local") == started);  // AMARCORD_TZ=UTC
  REQUIRE(run.at("files").as_array().size() == 1);
  CHECK(run.at("files").at(0) == json::value(run_file(glob, "raw", file_id)));
  CHECK(value_in(run, ids["frames"]) == json::value(value_int(ids["frames"], 1100)));
  CHECK(value_in(run, ids["exposure_time"]).at("attributo_value_float").to_number<double>() == 2.0);
  CHECK(value_in(run, ids["detector_distance"]).at("attributo_value_float").to_number<double>() ==
        161.25);
  CHECK(value_in(run, ids["sample_position"]) ==
        json::value(value_str(ids["sample_position"], "pos 11")));
  CHECK(value_in(run, ids["shutter_open"]) == json::value(value_bool(ids["shutter_open"], false)));
  CHECK(value_in(run, ids["trigger_time"]) ==
        json::parse("{\"attributo_id\":" + std::to_string(ids["trigger_time"]) +
                    ",\"attributo_value_datetime\":" + std::to_string(trigger) +
                    ",\"attributo_value_datetime_local\":" + std::to_string(trigger) + "}"));
  CHECK(value_in(run, f.chan) == json::value(value_chemical(f.chan, f.lyso)));
  CHECK(count_rows(api.db(), "RunHasFiles", "run_id = " + std::to_string(internal)) == 1);

  // 8. The next run with auto-pilot on: the operator's manual values are
  // copied, the bridge's (automatic) ones come from its request only.
  set_auto_pilot(api, f.bt, true);
  api.patch_ok("/api/runs", json::object{{"id", internal},
                                         {"experiment_type_id", f.etc},
                                         {"attributi", json::array{value_str(f.run_string, "op")}},
                                         {"delete_dependent_objects", false}});
  json::object next{{"beamtime_id", f.bt},
                    {"attributi", json::array{json::object{{"attributo_id", ids["frames"]},
                                                           {"attributo_value_int", 1}}}},
                    {"files", json::array{run_file(raw_dir + "/run-43/*.h5", "raw", 0)}},
                    {"started", stopped + 1000},
                    {"create_data_set", false}};
  answer = bridge_call(api, "POST", "/api/runs/43", json::serialize(next));
  check_run_answer(answer, true, 1);
  const auto run43 = find_run(api, f.bt, 43);
  CHECK(value_in(run43, f.run_string) == json::value(value_str(f.run_string, "op")));
  CHECK(value_in(run43, f.chan) == json::value(value_chemical(f.chan, f.lyso)));
  CHECK(value_in(run43, ids["frames"]) == json::value(value_int(ids["frames"], 1)));
  CHECK(value_in(run43, ids["sample_position"]).is_null());
  CHECK(value_in(run43, ids["exposure_time"]).is_null());
  CHECK(run43.at("attributi").as_array().size() == 3);
  CHECK(globs_of(run43) == std::vector<std::string>{raw_dir + "/run-43/*.h5"});
}
