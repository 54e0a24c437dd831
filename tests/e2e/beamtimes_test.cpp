// /api/beamtimes end to end, on the engine named by AMARCORD_TEST_ENGINE
// (api-core.md §5.1 and behaviours T1-T5).
#include <soci/soci.h>

#include <catch2/catch.hpp>

#include "support/fixtures.hpp"

using namespace amarcord::test;
namespace json = boost::json;

namespace {

long long count_beamtimes(const TestDatabase& db) {
  auto s = db.connect();
  return query_int(*s, "SELECT COUNT(*) FROM \"Beamtime\"");
}

}  // namespace

TEST_CASE("create a beamtime and read it back (T1)", "[beamtimes]") {
  auto client = shared_server().client();
  auto created = client.post("/api/beamtimes", beamtime_body("cool 1337"));
  REQUIRE(created.status == 200);
  REQUIRE(created.header("content-type") == "application/json");
  const auto c = created.json().as_object();
  const auto id = c.at("id").as_int64();
  CHECK(id > 0);
  // Field order is the original's, so compare the serialised body exactly.
  CHECK(created.body ==
        "{\"id\":" + std::to_string(id) +
            ",\"external_id\":\"cool 1337\",\"proposal\":\"BAG\",\"beamline\":\"P12\",\"title\":"
            "\"Test beamtime\",\"comment\":\"comment\",\"start\":1,\"start_local\":1,\"end\":1000,"
            "\"end_local\":1000,\"chemical_names\":[],\"analysis_output_path\":\"/\"}");

  auto got = client.get("/api/beamtimes/" + std::to_string(id));
  REQUIRE(got.status == 200);
  CHECK(got.body == created.body);

  // The row holds naive UTC with microseconds, as the original writes it.
  auto s = shared_server().db.connect();
  const auto start =
      query_text(*s, "SELECT start FROM \"Beamtime\" WHERE id = " + std::to_string(id));
  CHECK(start.starts_with("1970-01-01 00:00:00.001"));
}

TEST_CASE("timestamps use AMARCORD_TZ for the local values (T2)", "[beamtimes]") {
  ServerOnFreshDb berlin({}, {{"AMARCORD_TZ", "Europe/Berlin"}});
  auto client = berlin.client();
  // Summer: 15:00 local is 13:00 UTC.
  auto summer =
      client.post("/api/beamtimes", beamtime_body("s", 1746025200000, 1746025200000 + 3600000));
  REQUIRE(summer.status == 200);
  CHECK(summer.json().at("start").as_int64() == 1746018000000);
  CHECK(summer.json().at("start_local").as_int64() == 1746025200000);
  // Winter: one hour difference.
  auto winter = client.post("/api/beamtimes", beamtime_body("w", 1736946000000, 1736946000000));
  REQUIRE(winter.status == 200);
  CHECK(winter.json().at("start").as_int64() == 1736942400000);
  CHECK(winter.json().at("end_local").as_int64() == 1736946000000);
  // A wall clock inside the spring-forward gap (2025-03-30 02:30) takes the
  // offset before the gap and reads back as 03:30.
  const long long gap_wall = 1743301800000;  // 2025-03-30T02:30:00 "as UTC"
  auto gap = client.post("/api/beamtimes", beamtime_body("gap", gap_wall, gap_wall));
  REQUIRE(gap.status == 200);
  CHECK(gap.json().at("start").as_int64() == gap_wall - 3600000);
  CHECK(gap.json().at("start_local").as_int64() == gap_wall + 3600000);
  // Milliseconds survive on every engine.
  auto ms = client.post("/api/beamtimes", beamtime_body("ms", 1746025200123, 1746025200999));
  REQUIRE(ms.status == 200);
  auto again = client.get("/api/beamtimes/" + std::to_string(ms.json().at("id").as_int64()));
  CHECK(again.json().at("start").as_int64() == 1746018000123);
  CHECK(again.json().at("end_local").as_int64() == 1746025200999);
}

TEST_CASE("the list is ordered by start, newest first, with chemical names (T3)", "[beamtimes]") {
  ServerOnFreshDb fresh;
  auto client = fresh.client();
  REQUIRE(client.get("/api/beamtimes").body == "{\"beamtimes\":[]}");
  const auto first =
      client.post("/api/beamtimes", beamtime_body("early", 1, 2)).json().at("id").as_int64();
  const auto second =
      client.post("/api/beamtimes", beamtime_body("late", 5000, 6000)).json().at("id").as_int64();
  const auto third =
      client.post("/api/beamtimes", beamtime_body("middle", 3000, 4000)).json().at("id").as_int64();
  {
    // Chemicals have no endpoint yet; insert rows the way the original does.
    auto s = fresh.db.connect();
    for (const auto& [bt, name] : std::vector<std::pair<long long, std::string>>{
             {second, "lysozyme"}, {first, "buffer"}, {second, "apoferritin"}}) {
      *s << "INSERT INTO \"Chemical\" (beamtime_id, name, responsible_person, modified, type) "
            "VALUES (:b, :n, 'me', '2025-01-01 00:00:00.000000', 'CRYSTAL')",
          soci::use(bt), soci::use(name);
    }
  }
  auto list = client.get("/api/beamtimes");
  REQUIRE(list.status == 200);
  const auto items = list.json().at("beamtimes").as_array();
  REQUIRE(items.size() == 3);
  CHECK(items[0].at("id").as_int64() == second);
  CHECK(items[1].at("id").as_int64() == third);
  CHECK(items[2].at("id").as_int64() == first);
  CHECK(items[0].at("chemical_names") == json::array{"lysozyme", "apoferritin"});
  CHECK(items[1].at("chemical_names") == json::array{});
  CHECK(items[2].at("chemical_names") == json::array{"buffer"});
  auto single = client.get("/api/beamtimes/" + std::to_string(second));
  CHECK(single.json().at("chemical_names") == json::array{"lysozyme", "apoferritin"});
}

TEST_CASE("PATCH replaces every field (T4)", "[beamtimes]") {
  ServerOnFreshDb fresh;
  auto client = fresh.client();
  const auto id = client.post("/api/beamtimes", beamtime_body("old")).json().at("id").as_int64();
  {
    auto s = fresh.db.connect();
    long long bt = id;
    *s << "INSERT INTO \"Chemical\" (beamtime_id, name, responsible_person, modified, type) "
          "VALUES (:b, 'lyso', 'me', '2025-01-01 00:00:00.000000', 'CRYSTAL')",
        soci::use(bt);
  }
  json::object body = {{"id", id},
                       {"external_id", "new"},
                       {"beamline", "P11"},
                       {"proposal", "other"},
                       {"title", "renamed"},
                       {"comment", "changed"},
                       {"start_local", 2},
                       {"end_local", 1002},
                       {"analysis_output_path", "/new"}};
  auto patched = client.patch("/api/beamtimes", body);
  REQUIRE(patched.status == 200);
  const auto p = patched.json().as_object();
  CHECK(p.at("external_id") == "new");
  CHECK(p.at("beamline") == "P11");
  CHECK(p.at("proposal") == "other");
  CHECK(p.at("title") == "renamed");
  CHECK(p.at("comment") == "changed");
  CHECK(p.at("analysis_output_path") == "/new");
  CHECK(p.at("start").as_int64() == 2);
  CHECK(p.at("end").as_int64() == 1002);
  // The original always answers [] here, even with chemicals; kept.
  CHECK(p.at("chemical_names") == json::array{});

  const auto list = client.get("/api/beamtimes").json().at("beamtimes").as_array();
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("start").as_int64() == 2);
  CHECK(list[0].at("end").as_int64() == 1002);
  CHECK(list[0].at("title") == "renamed");
  CHECK(list[0].at("chemical_names") == json::array{"lyso"});
}

TEST_CASE("beamtime errors have the original's shapes and change nothing (T5)", "[beamtimes]") {
  ServerOnFreshDb fresh;
  auto client = fresh.client();

  auto body = beamtime_body("x");
  body.erase("title");
  auto missing = client.post("/api/beamtimes", body);
  REQUIRE(missing.status == 422);
  const auto d = missing.json().at("detail").as_array();
  REQUIRE(d.size() == 1);
  CHECK(d[0].at("type") == "missing");
  CHECK(d[0].at("loc") == json::array{"body", "title"});
  CHECK(d[0].at("msg") == "Field required");

  auto not_int = client.get("/api/beamtimes/abc");
  REQUIRE(not_int.status == 422);
  CHECK(not_int.json().at("detail").at(0).at("loc") == json::array{"path", "beamtimeId"});
  CHECK(not_int.json().at("detail").at(0).at("type") == "int_parsing");

  auto unknown = client.get("/api/beamtimes/999999");
  CHECK(unknown.status == 404);
  CHECK(unknown.json().at("detail").is_string());

  auto put = client.request("PUT", "/api/beamtimes", "{}", {{"Content-Type", "application/json"}});
  CHECK(put.status == 405);
  CHECK(put.body == "{\"detail\":\"Method Not Allowed\"}");

  auto patch_body = beamtime_body("y");
  patch_body["id"] = 424242;
  auto patch_unknown = client.patch("/api/beamtimes", patch_body);
  CHECK(patch_unknown.status == 404);
  CHECK(patch_unknown.json().at("detail").is_string());
  CHECK(count_beamtimes(fresh.db) == 0);
}

TEST_CASE("request bodies are read leniently, like pydantic's lax mode", "[beamtimes]") {
  auto client = shared_server().client();
  auto body = beamtime_body("lax");
  body["id"] = "0";
  body["start_local"] = "1000";
  body["end_local"] = 2000.0;
  body["unknown_extra_key"] = json::array{1, 2};
  auto ok = client.post("/api/beamtimes", body);
  REQUIRE(ok.status == 200);
  CHECK(ok.json().at("start").as_int64() == 1000);
  CHECK(ok.json().at("end").as_int64() == 2000);
  CHECK_FALSE(ok.json().as_object().contains("unknown_extra_key"));

  auto bad = beamtime_body("lax");
  bad["title"] = 5;
  bad["start_local"] = 1.5;
  bad["end_local"] = json::array{};
  auto r = client.post("/api/beamtimes", bad);
  REQUIRE(r.status == 422);
  const auto d = r.json().at("detail").as_array();
  REQUIRE(d.size() == 3);
  CHECK(d[0].at("type") == "string_type");
  CHECK(d[0].at("loc") == json::array{"body", "title"});
  CHECK(d[1].at("type") == "int_from_float");
  CHECK(d[2].at("type") == "int_type");
}

TEST_CASE("text is stored exactly, limits are enforced the same on every engine", "[beamtimes]") {
  auto client = shared_server().client();
  // 255 characters, several of them 4-byte UTF-8, fit a VARCHAR(255) everywhere.
  std::string title;
  for (int i = 0; i < 85; ++i)
    title += "a\xC3\xA9\xF0\x9F\xA7\xAA";  // "aé🧪"
  auto body = beamtime_body("unicode \"quoted\" \\ back\nslash\ttab");
  body["title"] = title;
  body["comment"] = std::string(100000, 'c');  // TEXT: longer than MySQL's 64 KiB TEXT
  auto created = client.post("/api/beamtimes", body);
  REQUIRE(created.status == 200);
  auto got = client.get("/api/beamtimes/" + std::to_string(created.json().at("id").as_int64()));
  CHECK(got.json().at("title").as_string() == title);
  CHECK(got.json().at("external_id") == "unicode \"quoted\" \\ back\nslash\ttab");
  CHECK(got.json().at("comment").as_string().size() == 100000);
  // Non-ASCII is sent raw, not \u-escaped, as the original does.
  CHECK(got.body.find("\xC3\xA9") != std::string::npos);

  auto too_long = beamtime_body("x");
  too_long["title"] = std::string(256, 't');
  auto r = client.post("/api/beamtimes", too_long);
  REQUIRE(r.status == 422);
  CHECK(r.json().at("detail").at(0).at("type") == "string_too_long");

  auto nul = beamtime_body(std::string("a\0b", 3));
  auto n = client.post("/api/beamtimes", nul);
  REQUIRE(n.status == 422);
  CHECK(n.json().at("detail").at(0).at("loc") == json::array{"body", "external_id"});

  auto far = beamtime_body("far", 253402300800000LL, 1);  // year 10000
  auto f = client.post("/api/beamtimes", far);
  REQUIRE(f.status == 422);
  CHECK(f.json().at("detail").at(0).at("loc") == json::array{"body", "start_local"});
}

TEST_CASE("bodies that are not a JSON object are 422", "[beamtimes]") {
  auto client = shared_server().client();
  auto empty = client.request("POST", "/api/beamtimes", "", {{"Content-Type", "application/json"}});
  REQUIRE(empty.status == 422);
  CHECK(empty.json().at("detail").at(0).at("type") == "missing");
  CHECK(empty.json().at("detail").at(0).at("loc") == json::array{"body"});

  auto invalid = client.request("POST", "/api/beamtimes", "{\"id\": 0,",
                                {{"Content-Type", "application/json"}});
  REQUIRE(invalid.status == 422);
  CHECK(invalid.json().at("detail").at(0).at("type") == "json_invalid");

  auto form = client.request("POST", "/api/beamtimes", json::serialize(beamtime_body("form")),
                             {{"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(form.status == 422);

  auto list =
      client.request("POST", "/api/beamtimes", "[1,2]", {{"Content-Type", "application/json"}});
  REQUIRE(list.status == 422);
  CHECK(list.json().at("detail").at(0).at("type") == "model_attributes_type");

  auto deep =
      client.request("POST", "/api/beamtimes", std::string(100000, '[') + std::string(100000, ']'),
                     {{"Content-Type", "application/json"}});
  CHECK(deep.status == 422);

  auto bad_utf8 = client.request("POST", "/api/beamtimes", "{\"title\": \"\xff\xfe\"}",
                                 {{"Content-Type", "application/json"}});
  CHECK(bad_utf8.status == 422);
}
