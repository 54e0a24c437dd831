// Online indexing jobs queued by POST /api/runs/{id} when the beamtime's
// "online-crystfel" switch is on (api-runs-events-files.md R3 step 7,
// api-analysis.md §2.3 and §8), with the port's fixes: no geometry is no
// crash, booleans fill "true"/"false" by value.
#include <catch2/catch.hpp>

#include <map>

#include "e2e/runs_helpers.hpp"

using namespace amarcord::test;
namespace json = boost::json;

namespace {

void set_online(Api& api, long long bt, bool on) {
  auto r = api.request("PATCH", "/api/user-config/" + std::to_string(bt) + "/online-crystfel/" +
                                    (on ? "True" : "False"));
  INFO(r.body);
  REQUIRE(r.status == 200);
}

// attributo id -> replacement text of an indexing result.
std::map<long long, std::string> replacements(const TestDatabase& db, long long result) {
  auto s = db.connect();
  std::map<long long, std::string> out;
  long long attributo = 0;
  std::string text;
  soci::indicator i_text{};
  soci::statement st =
      (s->prepare << "SELECT attributo_id, replacement FROM \"GeometryTemplateReplacement\" "
                     "WHERE indexing_result_id = " +
                         std::to_string(result),
       soci::into(attributo), soci::into(text, i_text));
  st.execute();
  while (st.fetch())
    out[attributo] = i_text == soci::i_ok ? text : "";
  return out;
}

}  // namespace

TEST_CASE("R3 queues an online indexing job for a new run", "[runs][online]") {
  auto& server = shared_server();
  Api api(server);
  RunsFixture f(api, "online-1");
  const auto flag = create_attributo(api, f.bt, "flag", "run", boolean_type());
  set_experiment_type(api, f.bt, f.etc);
  set_online(api, f.bt, true);
  const auto geometry =
      insert_geometry(server.db, f.bt, "g",
                      "clen = {{run_int}}\n; {{run_string}} {{chan}} {{flag}} {{cell description}}",
                      {f.run_int, f.run_string, f.chan, flag, f.cell});
  api.patch_ok(
      "/api/user-config/" + std::to_string(f.bt) + "/online-indexing-parameters",
      json::object{{"command_line", "--multi"}, {"geometry_id", geometry}, {"source", "raw"}});

  const auto created = post_run(api, 1,
                                run_body(f.bt,
                                         {value_chemical(f.chan, f.lyso), value_int(f.run_int, 5),
                                          value_str(f.run_string, "abc"), value_bool(flag, false)},
                                         json::array{run_file("/raw/1/*.h5")}, 1700000000000));
  REQUIRE(created.at("run_created").as_bool());
  REQUIRE(created.at("indexing_result_id").is_int64());
  REQUIRE(created.at("new_indexing_parameters_id").is_int64());
  const auto result = created.at("indexing_result_id").as_int64();
  const auto params = created.at("new_indexing_parameters_id").as_int64();
  const auto where = " WHERE id = " + std::to_string(params);

  CHECK(query_string(server.db, "SELECT cell_description FROM \"IndexingParameters\"" + where) ==
        "tetragonal P c (79.2 79.2 38.0) (90.0 90.0 90.0)");
  CHECK(query_string(server.db, "SELECT command_line FROM \"IndexingParameters\"" + where) ==
        "--multi");
  CHECK(query_string(server.db, "SELECT source FROM \"IndexingParameters\"" + where) == "raw");
  CHECK(query_long(server.db, "SELECT geometry_id FROM \"IndexingParameters\"" + where) ==
        geometry);
  CHECK(query_long(server.db,
                   "SELECT CASE WHEN is_online THEN 1 ELSE 0 END FROM "
                   "\"IndexingParameters\"" +
                       where) == 1);
  const auto rwhere = " WHERE id = " + std::to_string(result);
  CHECK(query_string(server.db, "SELECT job_status FROM \"IndexingResult\"" + rwhere) == "QUEUED");
  CHECK(query_long(server.db, "SELECT run_id FROM \"IndexingResult\"" + rwhere) ==
        created.at("run_internal_id").as_int64());
  CHECK(query_long(server.db, "SELECT indexing_parameters_id FROM \"IndexingResult\"" + rwhere) ==
        params);
  CHECK(query_long(server.db, "SELECT indexed_frames FROM \"IndexingResult\"" + rwhere) == 0);
  const std::map<long long, std::string> expected{
      {f.run_int, "5"}, {f.run_string, "abc"}, {f.chan, "lyso"}, {flag, "false"}, {f.cell, ""}};
  CHECK(replacements(server.db, result) == expected);

  // The overview shows the queued job of the latest run.
  const auto overview = api.get_ok("/api/runs-overview/" + std::to_string(f.bt)).as_object();
  REQUIRE(overview.at("latest_indexing_result").is_object());
  CHECK(overview.at("latest_indexing_result").at("indexing_result_id").as_int64() == result);

  // Updates queue nothing more.
  const auto jobs = count_rows(server.db, "IndexingResult");
  const auto updated = post_run(
      api, 1, run_body(f.bt, {value_str(f.run_string, "abc")}, json::array{}, 1700000000000));
  CHECK_FALSE(updated.at("run_created").as_bool());
  CHECK_FALSE(updated.contains("indexing_result_id"));
  CHECK_FALSE(updated.contains("new_indexing_parameters_id"));
  CHECK(count_rows(server.db, "IndexingResult") == jobs);
}

TEST_CASE("R3 online indexing without configured parameters uses the defaults", "[runs][online]") {
  auto& server = shared_server();
  Api api(server);
  RunsFixture f(api, "online-2");
  set_experiment_type(api, f.bt, f.etc);
  set_online(api, f.bt, true);
  // A crystal without a cell description: the job gets no cell (null).
  const auto bare = create_chemical(api, f.bt, "bare crystal");
  const auto created = post_run(api, 7, run_body(f.bt, {value_chemical(f.chan, bare)}));
  REQUIRE(created.contains("indexing_result_id"));
  const auto where =
      " WHERE id = " + std::to_string(created.at("new_indexing_parameters_id").as_int64());
  CHECK(count_rows(server.db, "IndexingParameters",
                   "id = " + std::to_string(created.at("new_indexing_parameters_id").as_int64()) +
                       " AND cell_description IS NULL AND geometry_id IS NULL") == 1);
  CHECK(query_string(server.db, "SELECT command_line FROM \"IndexingParameters\"" + where)
            .starts_with("--peaks=peakfinder8"));
  CHECK(replacements(server.db, created.at("indexing_result_id").as_int64()).empty());
}

TEST_CASE("R3 refuses a run online indexing cannot handle, and creates nothing", "[runs][online]") {
  auto& server = shared_server();
  Api api(server);
  RunsFixture f(api, "online-3");
  set_experiment_type(api, f.bt, f.etc);
  set_online(api, f.bt, true);

  SECTION("no chemical at all") {
    const auto before = db_snapshot(server.db);
    const auto detail =
        require_400(api.post(run_url(3), run_body(f.bt, {value_int(f.run_int, 1)})));
    CHECK(detail.starts_with("cannot start CrystFEL online: "));
    require_unchanged(server.db, before);
  }
  SECTION("a solution is no crystal") {
    auto r = api.post("/api/chemicals",
                      chemical_body(f.bt, "buffer", json::array{}, json::array{}, "solution"));
    REQUIRE(r.status == 200);
    const auto buffer = r.json().at("id").as_int64();
    const auto before = db_snapshot(server.db);
    const auto detail =
        require_400(api.post(run_url(3), run_body(f.bt, {value_chemical(f.chan, buffer)})));
    CHECK(detail.starts_with("cannot start CrystFEL online: "));
    require_unchanged(server.db, before);
  }
  SECTION("a cell description that does not parse") {
    const auto broken = create_chemical(api, f.bt, "broken",
                                        {value_str(f.cell, "tetragonal P c (79.2 79.2) (90 90 90)"),
                                         value_str(f.point_group, "4")});
    const auto before = db_snapshot(server.db);
    const auto detail =
        require_400(api.post(run_url(3), run_body(f.bt, {value_chemical(f.chan, broken)})));
    CHECK(detail.starts_with("cannot start CrystFEL online: invalid cell description"));
    CHECK(detail.find("broken") != std::string::npos);
    require_unchanged(server.db, before);
  }
}

TEST_CASE("R3 queues nothing while online-crystfel is off", "[runs][online]") {
  auto& server = shared_server();
  Api api(server);
  RunsFixture f(api, "online-4");
  set_experiment_type(api, f.bt, f.etc);
  const auto jobs = count_rows(server.db, "IndexingResult");
  const auto created = post_run(api, 1, run_body(f.bt, {value_chemical(f.chan, f.lyso)}));
  CHECK(created.at("run_created").as_bool());
  CHECK_FALSE(created.contains("indexing_result_id"));
  CHECK(count_rows(server.db, "IndexingResult") == jobs);
}
