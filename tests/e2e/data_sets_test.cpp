// /api/data-sets end to end (api-core.md §3.10, §5.5 and behaviours T27-T31;
// api-runs-events-files.md X2).
#include <catch2/catch.hpp>

#include "e2e/core_helpers.hpp"

using namespace amarcord::test;
namespace json = boost::json;

namespace {

HttpResult create_data_set(Api& api, long long et, const json::array& values) {
  return api.post("/api/data-sets",
                  json::object{{"experiment_type_id", et}, {"attributi", values}});
}

json::array list_data_sets(Api& api, long long bt) {
  return api.get_ok("/api/data-sets/" + std::to_string(bt)).at("data_sets").as_array();
}

long long count_data_sets(Api& api, long long et) {
  return count_rows(api.db(), "DataSet", "experiment_type_id = " + std::to_string(et));
}

json::object decimal_type(std::optional<double> tolerance, bool absolute) {
  json::object t{{"type", "number"}};
  if (tolerance) t["tolerance"] = *tolerance;
  if (absolute) t["toleranceIsAbsolute"] = true;
  return t;
}

}  // namespace

TEST_CASE("a data set with a chemical value; then a duplicate (T27; T28)", "[data_sets]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T27");
  const auto sample = create_attributo(api, bt, "sample", "run", chemical_id_type());
  const auto cell = create_attributo(api, bt, "cell", "chemical", string_type());
  const auto lyso = create_chemical(api, bt, "lyso", {value_str(cell, "P1")});
  const auto et = create_experiment_type(api, bt, "SFX", {{sample, "crystal"}});

  auto first = create_data_set(api, et, {value_chemical(sample, lyso)});
  REQUIRE(first.status == 200);
  const auto id = first.json().at("id").as_int64();
  CHECK(id > 0);
  CHECK(first.body == "{\"id\":" + std::to_string(id) + "}");

  const auto detail = require_400(create_data_set(api, et, {value_chemical(sample, lyso)}));
  CHECK(detail.find("already exists") != std::string::npos);
  CHECK(detail.find(std::to_string(id)) != std::string::npos);
  CHECK(count_data_sets(api, et) == 1);

  // GET: the data set, the beamtime's chemicals, only run attributi, the types.
  auto got = api.get("/api/data-sets/" + std::to_string(bt));
  REQUIRE(got.status == 200);
  CHECK(got.body.starts_with(
      "{\"data_sets\":[{\"id\":" + std::to_string(id) +
      ",\"experiment_type_id\":" + std::to_string(et) + ",\"beamtime_id\":" + std::to_string(bt) +
      ",\"attributi\":[{\"attributo_id\":" + std::to_string(sample) +
      ",\"attributo_value_chemical\":" + std::to_string(lyso) + "}]}],\"chemicals\":["));
  const auto j = got.json().as_object();
  REQUIRE(j.at("chemicals").as_array().size() == 1);
  CHECK(j.at("chemicals").at(0).at("id").as_int64() == lyso);
  CHECK(j.at("chemicals").at(0).at("attributi") == json::array{value_str(cell, "P1")});
  REQUIRE(j.at("attributi").as_array().size() == 1);
  CHECK(j.at("attributi").at(0).at("id").as_int64() == sample);
  CHECK(j.at("experiment_types") ==
        json::array{
            json::object{{"id", et},
                         {"name", "SFX"},
                         {"attributi", {json::object{{"id", sample}, {"role", "crystal"}}}}}});
  CHECK(j.size() == 4);

  auto deleted = api.del("/api/data-sets", json::object{{"id", id}});
  REQUIRE(deleted.status == 200);
  CHECK(deleted.body == "{\"result\":true}");
  CHECK(list_data_sets(api, bt) == json::array{});
  CHECK(count_rows(api.db(), "DataSetHasAttributoValue", "data_set_id = " + std::to_string(id)) ==
        0);
  auto unknown = api.del("/api/data-sets", json::object{{"id", 987654321}});
  REQUIRE(unknown.status == 200);
  CHECK(unknown.body == "{\"result\":true}");
  // After the delete the same values are welcome again.
  api.post_ok("/api/data-sets", json::object{{"experiment_type_id", et},
                                             {"attributi", {value_chemical(sample, lyso)}}});
}

TEST_CASE("missing members: booleans default to false; others are refused (T29)", "[data_sets]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T29");
  const auto s = create_attributo(api, bt, "s", "run", string_type());
  const auto b = create_attributo(api, bt, "b", "run", boolean_type());
  const auto outsider = create_attributo(api, bt, "outsider", "run", string_type());
  const auto et = create_experiment_type(api, bt, "et", {{s, "crystal"}, {b, "crystal"}});

  const auto detail = require_400(create_data_set(api, et, {value_bool(b, true)}));
  CHECK(detail.find(std::to_string(s)) != std::string::npos);
  CHECK(count_data_sets(api, et) == 0);

  // Values for attributi outside the type are ignored.
  const auto id =
      api.post_ok("/api/data-sets",
                  json::object{{"experiment_type_id", et},
                               {"attributi", {value_str(s, "x"), value_str(outsider, "y")}}})
          .at("id")
          .as_int64();
  const auto sets = list_data_sets(api, bt);
  REQUIRE(sets.size() == 1);
  CHECK(sets[0].at("id").as_int64() == id);
  CHECK(sets[0].at("attributi") == json::array{value_str(s, "x"), value_bool(b, false)});
  // The defaulted false counts when comparing: false matches the same string.
  require_400(create_data_set(api, et, {value_str(s, "x")}));
  require_400(create_data_set(api, et, {value_str(s, "x"), value_bool(b, false)}));
  api.post_ok("/api/data-sets",
              json::object{{"experiment_type_id", et},
                           {"attributi", {value_str(s, "x"), value_bool(b, true)}}});
  CHECK(count_data_sets(api, et) == 2);
}

TEST_CASE("decimal values match within their tolerance (T30; §3.10)", "[data_sets]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T30");
  struct Scenario {
    std::string name;
    std::optional<double> tolerance;
    bool absolute;
    double existing;
    std::vector<std::pair<double, bool>> candidates;  // value, matches the existing one
  };
  const std::vector<Scenario> scenarios = {
      {"relative", 0.1, false, 200.0, {{220.0, true}, {225.0, false}}},
      {"absolute", 13.0, true, 200.0, {{210.0, true}, {214.0, false}}},
      {"none", std::nullopt, false, 200.0, {{201.0, false}, {200.0, true}}},
  };
  for (const auto& sc : scenarios) {
    INFO(sc.name);
    const auto a =
        create_attributo(api, bt, sc.name, "run", decimal_type(sc.tolerance, sc.absolute));
    const auto et = create_experiment_type(api, bt, sc.name, {{a, "crystal"}});
    const auto existing =
        api.post_ok("/api/data-sets", json::object{{"experiment_type_id", et},
                                                   {"attributi", {value_float(a, sc.existing)}}})
            .at("id")
            .as_int64();
    for (const auto& [v, matches] : sc.candidates) {
      INFO("candidate " << v);
      const auto before = count_data_sets(api, et);
      auto r = create_data_set(api, et, {value_float(a, v)});
      if (matches) {
        const auto d = require_400(r);
        CHECK(d.find("already exists") != std::string::npos);
        CHECK(d.find(std::to_string(existing)) != std::string::npos);
        CHECK(count_data_sets(api, et) == before);
      } else {
        CHECK(r.status == 200);
        CHECK(count_data_sets(api, et) == before + 1);
      }
    }
  }
}

TEST_CASE("data set refusals write nothing (T31; decisions 2 and 8)", "[data_sets]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T31");
  const auto a = create_attributo(api, bt, "a", "run", string_type());
  const auto et = create_experiment_type(api, bt, "et", {{a, "crystal"}});
  const auto total = count_rows(api.db(), "DataSet");
  require_400(create_data_set(api, et, json::array{}));
  require_400(create_data_set(api, 987654321, {value_str(a, "x")}));
  const auto d = require_422(api.post("/api/data-sets", json::object{{"experiment_type_id", et}}));
  CHECK(d[0].at("loc") == json::array{"body", "attributi"});
  require_422(api.post("/api/data-sets", json::object{{"experiment_type_id", "et"},
                                                      {"attributi", {value_str(a, "x")}}}));
  CHECK(count_rows(api.db(), "DataSet") == total);
  CHECK(count_rows(api.db(), "DataSetHasAttributoValue", "attributo_id = " + std::to_string(a)) ==
        0);
  CHECK(api.get("/api/data-sets/987654321").body ==
        "{\"data_sets\":[],\"chemicals\":[],\"attributi\":[],\"experiment_types\":[]}");
  require_422(api.get("/api/data-sets/abc"));
}

TEST_CASE("a data set from a run copies the run's values of its type (X2)", "[data_sets]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "from run");
  const auto sample = create_attributo(api, bt, "sample", "run", chemical_id_type());
  const auto temperature = create_attributo(api, bt, "temperature", "run", number_type());
  const auto flag = create_attributo(api, bt, "flag", "run", boolean_type());
  const auto other = create_attributo(api, bt, "other", "run", string_type());
  const auto when = create_attributo(api, bt, "when", "run", datetime_type());
  const auto tags = create_attributo(api, bt, "tags", "run", array_type("string"));
  const auto lyso = create_chemical(api, bt, "lyso");
  const auto et = create_experiment_type(api, bt, "et",
                                         {{sample, "crystal"},
                                          {temperature, "crystal"},
                                          {flag, "crystal"},
                                          {when, "crystal"},
                                          {tags, "crystal"}});
  const auto run = insert_run(api.db(), bt, 3, et);
  insert_run_value(api.db(), run, sample, "chemical_value", std::to_string(lyso));
  insert_run_value(api.db(), run, temperature, "float_value", "21.5");
  insert_run_value(api.db(), run, other, "string_value", "'not copied'");
  insert_run_value(api.db(), run, when, "datetime_value", "'2025-04-30 13:00:00.250000'");
  insert_run_value(api.db(), run, tags, "list_value", "'[\"a\", \"b\"]'");

  auto r = api.post("/api/data-sets/from-run", json::object{{"run_internal_id", run}});
  REQUIRE(r.status == 200);
  const auto id = r.json().at("data_set_id").as_int64();
  CHECK(r.body == "{\"data_set_id\":" + std::to_string(id) + "}");
  const auto sets = list_data_sets(api, bt);
  REQUIRE(sets.size() == 1);
  CHECK(sets[0] == json::value{{"id", id},
                               {"experiment_type_id", et},
                               {"beamtime_id", bt},
                               {"attributi",
                                {value_chemical(sample, lyso), value_float(temperature, 21.5),
                                 json::object{{"attributo_id", when},
                                              {"attributo_value_datetime", 1746018000250LL},
                                              {"attributo_value_datetime_local", 1746018000250LL}},
                                 json::object{{"attributo_id", tags},
                                              {"attributo_value_list_str", {"a", "b"}}}}}});
  // No duplicate check here.
  const auto again = api.post_ok("/api/data-sets/from-run", json::object{{"run_internal_id", run}})
                         .at("data_set_id")
                         .as_int64();
  CHECK(again != id);
  CHECK(list_data_sets(api, bt).size() == 2);

  const auto total = count_rows(api.db(), "DataSet");
  require_404(api.post("/api/data-sets/from-run", json::object{{"run_internal_id", 987654321}}));
  require_422(api.post("/api/data-sets/from-run", json::object{}));
  CHECK(count_rows(api.db(), "DataSet") == total);
}

TEST_CASE("data sets: ids beyond 32 bits are unknown ids; not server errors", "[data_sets]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "big ids data sets");
  const auto a = create_attributo(api, bt, "a", "run", string_type());
  const auto big = std::to_string(kBeyond32Bits);
  const auto total = count_rows(api.db(), "DataSet");
  CHECK(api.get("/api/data-sets/" + big).body ==
        "{\"data_sets\":[],\"chemicals\":[],\"attributi\":[],\"experiment_types\":[]}");
  require_400(create_data_set(api, kBeyond32Bits, {value_str(a, "x")}));
  require_404(
      api.post("/api/data-sets/from-run", json::object{{"run_internal_id", kBeyond32Bits}}));
  auto del = api.del("/api/data-sets", json::object{{"id", kBeyond32Bits}});
  CHECK(del.status == 200);
  CHECK(del.body == "{\"result\":true}");
  CHECK(count_rows(api.db(), "DataSet") == total);
}

TEST_CASE("concurrent identical data sets: one is created; the others get 400", "[data_sets]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "data set race");
  const auto a = create_attributo(api, bt, "a", "run", string_type());
  const auto et = create_experiment_type(api, bt, "et", {{a, "crystal"}});
  for (int round = 0; round < 5; ++round) {
    const auto value = "v" + std::to_string(round);
    const auto mark = server_log_mark(shared_server());
    const auto results = concurrently(shared_server(), 6, [&](HttpClient& c, int) {
      return c.post("/api/data-sets",
                    json::object{{"experiment_type_id", et}, {"attributi", {value_str(a, value)}}});
    });
    INFO(server_log_problems(shared_server(), mark));
    int created = 0;
    for (const auto& r : results) {
      INFO(r.status << " " << r.body);
      CHECK((r.status == 200 || r.status == 400));
      created += r.status == 200 ? 1 : 0;
    }
    CHECK(created == 1);
  }
  CHECK(count_data_sets(api, et) == 5);
}
