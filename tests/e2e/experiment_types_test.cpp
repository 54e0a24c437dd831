// /api/experiment-types and /api/copy-experiment-types end to end
// (api-core.md §5.4 and behaviours T24-T26, T32).
#include <catch2/catch.hpp>

#include "e2e/core_helpers.hpp"

using namespace amarcord::test;
namespace json = boost::json;

namespace {

json::object read_types(Api& api, long long bt) {
  return api.get_ok("/api/experiment-types/" + std::to_string(bt)).as_object();
}

json::object type_body(long long bt, const std::string& name, const json::array& members) {
  return {{"name", name}, {"beamtime_id", bt}, {"attributi", members}};
}

json::object member(long long id, const std::string& role) {
  return {{"id", id}, {"role", role}};
}

long long run_type(Api& api, long long run) {
  return query_long(api.db(),
                    "SELECT experiment_type_id FROM \"Run\" WHERE id = " + std::to_string(run));
}

long long run_values(Api& api, long long run, long long attributo) {
  return count_rows(
      api.db(), "RunHasAttributoValue",
      "run_id = " + std::to_string(run) + " AND attributo_id = " + std::to_string(attributo));
}

}  // namespace

TEST_CASE("an experiment type is created and listed exactly (T24)", "[experiment_types]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T24");
  const auto zeta = create_attributo(api, bt, "zeta", "run", chemical_id_type());
  const auto alpha = create_attributo(api, bt, "alpha", "chemical", string_type());
  const auto mid = create_attributo(api, bt, "mid", "run", integer_type());
  const auto upper = create_attributo(api, bt, "Zulu", "run", boolean_type());
  auto created = api.post("/api/experiment-types",
                          type_body(bt, "SFX", {member(zeta, "crystal"), member(mid, "solution")}));
  REQUIRE(created.status == 200);
  const auto et = created.json().at("id").as_int64();
  CHECK(et > 0);
  CHECK(created.body == "{\"id\":" + std::to_string(et) + "}");

  const auto ids = std::to_string(et);
  const std::string expected =
      "{\"experiment_types\":[{\"id\":" + ids +
      ",\"name\":\"SFX\",\"attributi\":[{\"id\":" + std::to_string(zeta) +
      ",\"role\":\"crystal\"},{\"id\":" + std::to_string(mid) +
      ",\"role\":\"solution\"}]}],\"attributi\":[" +
      // By name in binary order: upper case first.
      attributo_json(upper, "Zulu", "run", "attributo_type_boolean", "{\"type\":\"boolean\"}") +
      "," +
      attributo_json(alpha, "alpha", "chemical", "attributo_type_string", "{\"type\":\"string\"}") +
      "," + attributo_json(mid, "mid", "run", "attributo_type_integer", "{\"type\":\"integer\"}") +
      "," +
      attributo_json(zeta, "zeta", "run", "attributo_type_integer",
                     "{\"type\":\"integer\",\"format\":\"chemical-id\"}") +
      "],\"experiment_type_id_to_run\":[{\"id\":" + ids + ",\"runs\":[],\"number_of_runs\":0}]}";
  CHECK(api.get("/api/experiment-types/" + std::to_string(bt)).body == expected);
  CHECK(api.get("/api/experiment-types/987654321").body ==
        "{\"experiment_types\":[],\"attributi\":[],\"experiment_type_id_to_run\":[]}");
  require_422(api.get("/api/experiment-types/abc"));
}

TEST_CASE("runs per experiment type are compressed into intervals", "[experiment_types]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "intervals");
  const auto a = create_attributo(api, bt, "a", "run", string_type());
  const auto et1 = create_experiment_type(api, bt, "one", {{a, "crystal"}});
  const auto et2 = create_experiment_type(api, bt, "two", {});
  const auto et3 = create_experiment_type(api, bt, "three", {{a, "solution"}});
  for (const auto ext : {5, 1, 3, 2})
    insert_run(api.db(), bt, ext, et1);
  for (const auto ext : {10, 7, 9})
    insert_run(api.db(), bt, ext, et2);
  insert_run(api.db(), bt, 42, et3);

  const auto types = read_types(api, bt);
  CHECK(types.at("experiment_type_id_to_run") ==
        json::array{json::object{{"id", et1}, {"runs", {"1-3", "5"}}, {"number_of_runs", 4}},
                    json::object{{"id", et2}, {"runs", {"7", "9-10"}}, {"number_of_runs", 3}},
                    json::object{{"id", et3}, {"runs", {"42"}}, {"number_of_runs", 1}}});
  const auto list = types.at("experiment_types").as_array();
  REQUIRE(list.size() == 3);
  CHECK(list[0].at("id").as_int64() == et1);
  CHECK(list[1].at("id").as_int64() == et2);
  CHECK(list[1].at("attributi") == json::array{});
  CHECK(list[2].at("id").as_int64() == et3);
  CHECK_FALSE(types.contains("current_experiment_type_id"));
}

TEST_CASE("the current experiment type is listed once set", "[experiment_types]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "current type");
  const auto et = create_experiment_type(api, bt, "et", {});
  api.request("PATCH", "/api/user-config/" + std::to_string(bt) + "/current-experiment-type-id/" +
                           std::to_string(et));
  const auto body = api.get("/api/experiment-types/" + std::to_string(bt)).body;
  CHECK(body.ends_with(",\"current_experiment_type_id\":" + std::to_string(et) + "}"));
}

TEST_CASE("experiment type refusals write nothing (decisions 2 and 11)", "[experiment_types]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "type refusals");
  const auto a = create_attributo(api, bt, "a", "run", string_type());
  const auto types = count_rows(api.db(), "ExperimentType");
  const auto members = count_rows(api.db(), "ExperimentHasAttributo");
  require_400(api.post("/api/experiment-types",
                       type_body(bt, "x", {member(a, "crystal"), member(987654321, "crystal")})));
  require_400(api.post("/api/experiment-types", type_body(987654321, "x", {})));
  CHECK(require_422(api.post("/api/experiment-types", type_body(bt, std::string(256, 'n'), {})))[0]
            .at("type") == "string_too_long");
  CHECK(require_422(api.post("/api/experiment-types", type_body(bt, "x", {member(a, "powder")})))[0]
            .at("loc") == json::array{"body", "attributi", 0, "role"});
  auto missing = type_body(bt, "x", {});
  missing.erase("attributi");
  require_422(api.post("/api/experiment-types", missing));
  CHECK(count_rows(api.db(), "ExperimentType") == types);
  CHECK(count_rows(api.db(), "ExperimentHasAttributo") == members);
}

// ---- change-for-run -------------------------------------------------------------------------

TEST_CASE("changing a run's experiment type drops its other manual values (T32)",
          "[experiment_types]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T32");
  const auto manual_in = create_attributo(api, bt, "manual in", "run", string_type());
  const auto manual_out = create_attributo(api, bt, "manual out", "run", string_type());
  const auto auto_out = create_attributo(api, bt, "auto out", "run", string_type(), "automatic");
  const auto et1 = create_experiment_type(api, bt, "first", {{manual_out, "crystal"}});
  const auto et2 = create_experiment_type(api, bt, "second", {{manual_in, "crystal"}});
  const auto run = insert_run(api.db(), bt, 1, et1);
  insert_run_value(api.db(), run, manual_in, "string_value", "'a'");
  insert_run_value(api.db(), run, manual_out, "string_value", "'b'");
  insert_run_value(api.db(), run, auto_out, "string_value", "'c'");
  api.request("PATCH", "/api/user-config/" + std::to_string(bt) + "/auto-pilot/True");
  const auto configs =
      count_rows(api.db(), "UserConfiguration", "beamtime_id = " + std::to_string(bt));

  // Without a type: nothing happens.
  auto none =
      api.post("/api/experiment-types/change-for-run", json::object{{"run_internal_id", run}});
  REQUIRE(none.status == 200);
  CHECK(none.body == "{\"result\":false}");
  auto null_type =
      api.post("/api/experiment-types/change-for-run",
               json::object{{"run_internal_id", run}, {"experiment_type_id", nullptr}});
  CHECK(null_type.body == "{\"result\":false}");
  CHECK(run_type(api, run) == et1);
  CHECK(count_rows(api.db(), "RunHasAttributoValue", "run_id = " + std::to_string(run)) == 3);

  auto changed = api.post("/api/experiment-types/change-for-run",
                          json::object{{"run_internal_id", run}, {"experiment_type_id", et2}});
  REQUIRE(changed.status == 200);
  CHECK(changed.body == "{\"result\":true}");
  CHECK(run_type(api, run) == et2);
  CHECK(run_values(api, run, manual_in) == 1);
  CHECK(run_values(api, run, manual_out) == 0);
  CHECK(run_values(api, run, auto_out) == 1);
  CHECK(count_rows(api.db(), "UserConfiguration", "beamtime_id = " + std::to_string(bt)) ==
        configs + 1);
  CHECK(api.get("/api/user-config/" + std::to_string(bt) + "/current-experiment-type-id").body ==
        "{\"value_int\":" + std::to_string(et2) + "}");
  // The new configuration row keeps the other settings.
  CHECK(api.get("/api/user-config/" + std::to_string(bt) + "/auto-pilot").body ==
        "{\"value_bool\":true}");
  const auto types = read_types(api, bt);
  CHECK(types.at("current_experiment_type_id").as_int64() == et2);
  CHECK(types.at("experiment_type_id_to_run") ==
        json::array{json::object{{"id", et1}, {"runs", json::array{}}, {"number_of_runs", 0}},
                    json::object{{"id", et2}, {"runs", {"1"}}, {"number_of_runs", 1}}});
}

TEST_CASE("change-for-run refusals change nothing (decisions 1 and 2)", "[experiment_types]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "change refusals");
  const auto et = create_experiment_type(api, bt, "et", {});
  const auto run = insert_run(api.db(), bt, 1, et);
  const auto configs = count_rows(api.db(), "UserConfiguration");
  require_404(api.post("/api/experiment-types/change-for-run",
                       json::object{{"run_internal_id", 987654321}, {"experiment_type_id", et}}));
  require_400(api.post("/api/experiment-types/change-for-run",
                       json::object{{"run_internal_id", run}, {"experiment_type_id", 987654321}}));
  const auto d = require_422(
      api.post("/api/experiment-types/change-for-run", json::object{{"experiment_type_id", et}}));
  CHECK(d[0].at("loc") == json::array{"body", "run_internal_id"});
  CHECK(run_type(api, run) == et);
  CHECK(count_rows(api.db(), "UserConfiguration") == configs);
}

// ---- DELETE -------------------------------------------------------------------------------------

TEST_CASE("deleting an experiment type deletes its data sets (T26)", "[experiment_types]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T26");
  const auto a = create_attributo(api, bt, "a", "run", string_type());
  const auto et = create_experiment_type(api, bt, "et", {{a, "crystal"}});
  api.post_ok("/api/data-sets",
              json::object{{"experiment_type_id", et}, {"attributi", {value_str(a, "x")}}});
  api.request("PATCH", "/api/user-config/" + std::to_string(bt) + "/current-experiment-type-id/" +
                           std::to_string(et));

  auto r = api.del("/api/experiment-types", json::object{{"id", et}});
  REQUIRE(r.status == 200);
  CHECK(r.body == "{\"result\":true}");
  const auto types = read_types(api, bt);
  CHECK(types.at("experiment_types") == json::array{});
  CHECK(types.at("experiment_type_id_to_run") == json::array{});
  CHECK_FALSE(types.contains("current_experiment_type_id"));
  CHECK(api.get_ok("/api/data-sets/" + std::to_string(bt)).at("data_sets") == json::array{});
  CHECK(count_rows(api.db(), "ExperimentHasAttributo",
                   "experiment_type_id = " + std::to_string(et)) == 0);
  CHECK(api.get("/api/user-config/" + std::to_string(bt) + "/current-experiment-type-id").body ==
        "{}");
  // The attributo itself stays.
  CHECK(list_attributi(api, bt).size() == 1);

  auto unknown = api.del("/api/experiment-types", json::object{{"id", 987654321}});
  REQUIRE(unknown.status == 200);
  CHECK(unknown.body == "{\"result\":true}");
}

TEST_CASE("an experiment type used by runs is not deleted (decision 9)", "[experiment_types]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "type in use");
  const auto a = create_attributo(api, bt, "a", "run", string_type());
  const auto et = create_experiment_type(api, bt, "et", {{a, "crystal"}});
  api.post_ok("/api/data-sets",
              json::object{{"experiment_type_id", et}, {"attributi", {value_str(a, "x")}}});
  insert_run(api.db(), bt, 77, et);
  const auto before = api.get("/api/experiment-types/" + std::to_string(bt)).body;
  const auto sets_before = api.get("/api/data-sets/" + std::to_string(bt)).body;
  const auto detail = require_400(api.del("/api/experiment-types", json::object{{"id", et}}));
  std::string lower;
  for (char ch : detail)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  CHECK(lower.find("run") != std::string::npos);
  CHECK(api.get("/api/experiment-types/" + std::to_string(bt)).body == before);
  CHECK(api.get("/api/data-sets/" + std::to_string(bt)).body == sets_before);
}

// ---- copy-experiment-types ------------------------------------------------------------------

TEST_CASE("experiment types copy by attributo name (T25)", "[experiment_types]") {
  Api api(shared_server());
  const auto from = create_beamtime(api, "T25 from");
  const auto lacking = create_beamtime(api, "T25 lacking");
  const auto matching = create_beamtime(api, "T25 matching");
  const auto sample = create_attributo(api, from, "sample", "run", chemical_id_type());
  const auto buffer = create_attributo(api, from, "buffer", "run", chemical_id_type());
  create_experiment_type(api, from, "SFX", {{sample, "crystal"}, {buffer, "solution"}});
  create_attributo(api, lacking, "sample", "run", chemical_id_type());
  const auto t_buffer = create_attributo(api, matching, "buffer", "run", string_type());
  const auto t_sample = create_attributo(api, matching, "sample", "run", chemical_id_type());

  const auto types_before = count_rows(api.db(), "ExperimentType");
  const auto detail =
      require_400(api.post("/api/copy-experiment-types",
                           json::object{{"from_beamtime", from}, {"to_beamtime", lacking}}));
  CHECK(detail.find("buffer") != std::string::npos);
  CHECK(detail.find("SFX") != std::string::npos);
  CHECK(count_rows(api.db(), "ExperimentType") == types_before);
  CHECK(read_types(api, lacking).at("experiment_types") == json::array{});

  auto r = api.post("/api/copy-experiment-types",
                    json::object{{"from_beamtime", from}, {"to_beamtime", matching}});
  REQUIRE(r.status == 200);
  const auto ids = r.json().at("to_beamtime_experiment_type_ids").as_array();
  REQUIRE(ids.size() == 1);
  CHECK(r.body ==
        "{\"to_beamtime_experiment_type_ids\":[" + std::to_string(ids[0].as_int64()) + "]}");
  const auto target = read_types(api, matching).at("experiment_types").as_array();
  REQUIRE(target.size() == 1);
  CHECK(target[0].at("id") == ids[0]);
  CHECK(target[0].at("name") == "SFX");
  CHECK(target[0].at("attributi") ==
        json::array{member(t_sample, "crystal"), member(t_buffer, "solution")});
  // The source is untouched.
  CHECK(read_types(api, from).at("experiment_types").as_array().size() == 1);
}

TEST_CASE("experiment types: ids beyond 32 bits are unknown ids; not server errors",
          "[experiment_types]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "big ids types");
  const auto et = create_experiment_type(api, bt, "et", {});
  const auto run = insert_run(api.db(), bt, 1, et);
  const auto big = std::to_string(kBeyond32Bits);
  const auto types = count_rows(api.db(), "ExperimentType");
  CHECK(api.get("/api/experiment-types/" + big).body ==
        "{\"experiment_types\":[],\"attributi\":[],\"experiment_type_id_to_run\":[]}");
  require_400(api.post("/api/experiment-types", type_body(kBeyond32Bits, "x", {})));
  require_400(
      api.post("/api/experiment-types", type_body(bt, "x", {member(kBeyond32Bits, "crystal")})));
  require_404(
      api.post("/api/experiment-types/change-for-run",
               json::object{{"run_internal_id", kBeyond32Bits}, {"experiment_type_id", et}}));
  require_400(
      api.post("/api/experiment-types/change-for-run",
               json::object{{"run_internal_id", run}, {"experiment_type_id", kBeyond32Bits}}));
  auto del = api.del("/api/experiment-types", json::object{{"id", kBeyond32Bits}});
  CHECK(del.status == 200);
  CHECK(del.body == "{\"result\":true}");
  require_400(api.post("/api/copy-experiment-types",
                       json::object{{"from_beamtime", bt}, {"to_beamtime", kBeyond32Bits}}));
  CHECK(count_rows(api.db(), "ExperimentType") == types);
  CHECK(run_type(api, run) == et);
}
