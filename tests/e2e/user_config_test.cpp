// /api/user-config end to end (api-core.md §5.6 and behaviours T33-T35).
#include <catch2/catch.hpp>

#include "e2e/core_helpers.hpp"

using namespace amarcord::test;
namespace json = boost::json;

namespace {

const std::string default_command_line =
    "--peaks=peakfinder8 --min-snr=5 --min-res=50 --threshold=4 --min-pix-count=2 "
    "--max-pix-count=50 --peakfinder8-fast --min-peaks=10 --local-bg-radius=3 "
    "--int-radius=4,5,7 --indexing=asdf --asdf-fast --no-retry";

std::string config_path(long long bt, const std::string& rest) {
  return "/api/user-config/" + std::to_string(bt) + "/" + rest;
}

HttpResult patch_value(Api& api, long long bt, const std::string& key, const std::string& value) {
  return api.request("PATCH", config_path(bt, key + "/" + value));
}

long long count_configs(Api& api, long long bt) {
  return count_rows(api.db(), "UserConfiguration", "beamtime_id = " + std::to_string(bt));
}

json::object indexing_body(const json::value& geometry_id, const std::string& command_line) {
  return {{"command_line", command_line}, {"geometry_id", geometry_id}, {"source", ""}};
}

}  // namespace

TEST_CASE("auto-pilot and online-crystfel are true only for \"True\" (T33)", "[user_config]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T33");
  for (const std::string key : {"auto-pilot", "online-crystfel"}) {
    INFO(key);
    CHECK(api.get(config_path(bt, key)).body == "{\"value_bool\":false}");
    auto on = patch_value(api, bt, key, "True");
    CHECK(on.status == 200);
    CHECK(on.body == "{\"value_bool\":true}");
    CHECK(api.get(config_path(bt, key)).body == "{\"value_bool\":true}");
    for (const std::string value : {"true", "1", "yes", "False"}) {
      INFO(value);
      CHECK(patch_value(api, bt, key, "True").body == "{\"value_bool\":true}");
      auto off = patch_value(api, bt, key, value);
      CHECK(off.status == 200);
      CHECK(off.body == "{\"value_bool\":false}");
      CHECK(api.get(config_path(bt, key)).body == "{\"value_bool\":false}");
    }
  }
}

TEST_CASE("the current experiment type (T34)", "[user_config]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T34");
  const auto et = create_experiment_type(api, bt, "et", {});
  auto fresh = api.get(config_path(bt, "current-experiment-type-id"));
  REQUIRE(fresh.status == 200);
  CHECK(fresh.body == "{}");
  auto set = patch_value(api, bt, "current-experiment-type-id", std::to_string(et));
  REQUIRE(set.status == 200);
  CHECK(set.body == "{\"value_int\":" + std::to_string(et) + "}");
  CHECK(api.get(config_path(bt, "current-experiment-type-id")).body ==
        "{\"value_int\":" + std::to_string(et) + "}");
}

TEST_CASE("user-config refusals write nothing (decisions 2 and 7)", "[user_config]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "config refusals");
  const auto et = create_experiment_type(api, bt, "et", {});
  const auto g = insert_geometry(api.db(), bt, "g", "clen = 1\n");
  const auto before = count_rows(api.db(), "UserConfiguration");
  const auto params = count_rows(api.db(), "IndexingParameters");

  require_400(api.get(config_path(bt, "nonsense")));
  require_400(patch_value(api, bt, "nonsense", "1"));
  require_400(patch_value(api, bt, "current-experiment-type-id", "987654321"));
  const auto d = require_422(patch_value(api, bt, "current-experiment-type-id", "abc"));
  CHECK(d[0].at("loc") == json::array{"path", "value"});
  // Unknown beamtimes: reads give the defaults, writes are refused.
  CHECK(api.get(config_path(987654321, "auto-pilot")).body == "{\"value_bool\":false}");
  CHECK(api.get(config_path(987654321, "current-experiment-type-id")).body == "{}");
  require_400(patch_value(api, 987654321, "auto-pilot", "True"));
  require_400(patch_value(api, 987654321, "current-experiment-type-id", std::to_string(et)));
  require_400(
      api.patch(config_path(987654321, "online-indexing-parameters"), indexing_body(g, "--x")));
  const auto p = require_422(api.get("/api/user-config/abc/auto-pilot"));
  CHECK(p[0].at("loc") == json::array{"path", "beamtimeId"});
  CHECK(count_rows(api.db(), "UserConfiguration") == before);
  CHECK(count_rows(api.db(), "IndexingParameters") == params);
}

TEST_CASE("every change appends a configuration row; the latest wins", "[user_config]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "config history");
  const auto et1 = create_experiment_type(api, bt, "one", {});
  const auto et2 = create_experiment_type(api, bt, "two", {});
  // Reads never write.
  api.get(config_path(bt, "auto-pilot"));
  api.get(config_path(bt, "online-indexing-parameters"));
  CHECK(count_configs(api, bt) == 0);

  patch_value(api, bt, "auto-pilot", "True");
  CHECK(count_configs(api, bt) == 1);
  patch_value(api, bt, "current-experiment-type-id", std::to_string(et1));
  patch_value(api, bt, "online-crystfel", "True");
  patch_value(api, bt, "current-experiment-type-id", std::to_string(et2));
  CHECK(count_configs(api, bt) == 4);
  // Each row copies the one before and changes one thing.
  CHECK(api.get(config_path(bt, "auto-pilot")).body == "{\"value_bool\":true}");
  CHECK(api.get(config_path(bt, "online-crystfel")).body == "{\"value_bool\":true}");
  CHECK(api.get(config_path(bt, "current-experiment-type-id")).body ==
        "{\"value_int\":" + std::to_string(et2) + "}");
  patch_value(api, bt, "auto-pilot", "False");
  CHECK(count_configs(api, bt) == 5);
  CHECK(api.get(config_path(bt, "auto-pilot")).body == "{\"value_bool\":false}");
  CHECK(api.get(config_path(bt, "online-crystfel")).body == "{\"value_bool\":true}");
  CHECK(api.get(config_path(bt, "current-experiment-type-id")).body ==
        "{\"value_int\":" + std::to_string(et2) + "}");
  CHECK(query_long(api.db(), "SELECT COUNT(*) FROM \"UserConfiguration\" WHERE beamtime_id = " +
                                 std::to_string(bt) +
                                 " AND current_experiment_type_id = " + std::to_string(et2)) == 2);
}

TEST_CASE("online indexing parameters: defaults; then a new row per PATCH (T35)", "[user_config]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T35");
  const std::string path = config_path(bt, "online-indexing-parameters");
  auto fresh = api.get(path);
  REQUIRE(fresh.status == 200);
  CHECK(fresh.body ==
        "{\"parameters\":{\"cell_description\":\"\",\"is_online\":true,"
        "\"command_line\":\"" +
            default_command_line + "\",\"geometry_id\":null},\"geometries\":[]}");

  const auto g1 = insert_geometry(api.db(), bt, "first geometry", "clen = 0.1\n", {},
                                  "2025-04-30 13:00:00.000000");
  const auto g2 = insert_geometry(api.db(), bt, "second geometry", "clen = 0.2\n", {},
                                  "2025-04-30 14:00:00.123000");
  const auto params_before = count_rows(api.db(), "IndexingParameters");
  auto r = api.patch(path, indexing_body(g2, "--multi"));
  REQUIRE(r.status == 200);
  CHECK(r.body == "{\"success\":true}");
  CHECK(count_rows(api.db(), "IndexingParameters") == params_before + 1);
  CHECK(count_configs(api, bt) == 1);

  auto got = api.get(path);
  REQUIRE(got.status == 200);
  const auto params = got.json().at("parameters").as_object();
  const auto pid = params.at("id").as_int64();
  CHECK(got.body ==
        "{\"parameters\":{\"id\":" + std::to_string(pid) +
            ",\"cell_description\":\"\",\"is_online\":true,\"command_line\":\"--multi\","
            "\"geometry_id\":" +
            std::to_string(g2) + "},\"geometries\":[{\"id\":" + std::to_string(g1) +
            ",\"name\":\"first geometry\",\"created_local\":1746018000000},{\"id\":" +
            std::to_string(g2) +
            ",\"name\":\"second geometry\",\"created_local\":1746021600123}]}");
  CHECK(query_string(api.db(), "SELECT source FROM \"IndexingParameters\" WHERE id = " +
                                   std::to_string(pid)) == "");

  // Another PATCH makes another row and leaves the old one alone.
  api.patch_ok(path, indexing_body(g1, "--other"));
  CHECK(count_rows(api.db(), "IndexingParameters") == params_before + 2);
  CHECK(query_string(api.db(), "SELECT command_line FROM \"IndexingParameters\" WHERE id = " +
                                   std::to_string(pid)) == "--multi");
  const auto now = api.get_ok(path).at("parameters").as_object();
  CHECK(now.at("id").as_int64() != pid);
  CHECK(now.at("geometry_id").as_int64() == g1);
  CHECK(now.at("command_line") == "--other");
  // Other settings are carried along.
  patch_value(api, bt, "auto-pilot", "True");
  CHECK(api.get_ok(path).at("parameters").at("command_line") == "--other");
}

TEST_CASE("online indexing PATCH refusals write nothing", "[user_config]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "indexing refusals");
  const std::string path = config_path(bt, "online-indexing-parameters");
  const auto params = count_rows(api.db(), "IndexingParameters");
  const auto configs = count_rows(api.db(), "UserConfiguration");
  require_400(api.patch(path, indexing_body(987654321, "--x")));
  auto missing = indexing_body(1, "--x");
  missing.erase("source");
  CHECK(require_422(api.patch(path, missing))[0].at("loc") == json::array{"body", "source"});
  // geometry_id is required and must be an integer.
  require_422(api.patch(path, indexing_body(nullptr, "--x")));
  require_422(api.patch(path, indexing_body("g", "--x")));
  CHECK(count_rows(api.db(), "IndexingParameters") == params);
  CHECK(count_rows(api.db(), "UserConfiguration") == configs);
}

TEST_CASE("user config: ids beyond 32 bits are unknown ids; not server errors", "[user_config]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "big ids config");
  const auto big = std::to_string(kBeyond32Bits);
  const auto configs = count_rows(api.db(), "UserConfiguration");
  CHECK(api.get(config_path(kBeyond32Bits, "auto-pilot")).body == "{\"value_bool\":false}");
  CHECK(api.get(config_path(kBeyond32Bits, "current-experiment-type-id")).body == "{}");
  CHECK(api.get(config_path(kBeyond32Bits, "online-indexing-parameters")).body ==
        "{\"parameters\":{\"cell_description\":\"\",\"is_online\":true,\"command_line\":\"" +
            default_command_line + "\",\"geometry_id\":null},\"geometries\":[]}");
  require_400(patch_value(api, kBeyond32Bits, "auto-pilot", "True"));
  require_400(patch_value(api, bt, "current-experiment-type-id", big));
  require_400(api.patch(config_path(bt, "online-indexing-parameters"),
                        indexing_body(kBeyond32Bits, "--x")));
  CHECK(count_rows(api.db(), "UserConfiguration") == configs);
}
