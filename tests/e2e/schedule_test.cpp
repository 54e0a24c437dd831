// /api/schedule end to end (api-core.md §5.8 and behaviours T37, T38).
#include <catch2/catch.hpp>

#include <algorithm>

#include "e2e/core_helpers.hpp"

using namespace amarcord::test;
namespace json = boost::json;

namespace {

json::object row(const std::string& date, const std::string& shift,
                 const json::array& chemicals = {}, const std::string& users = "alice",
                 const std::string& comment = "comment") {
  return {{"users", users},     {"date", date},        {"shift", shift},
          {"comment", comment}, {"td_support", "bob"}, {"chemicals", chemicals}};
}

json::object schedule_body(long long bt, const json::array& rows) {
  return {{"beamtime_id", bt}, {"schedule", rows}};
}

// The serialised row output, key order as in the original.
std::string row_json(const std::string& date, const std::string& shift,
                     const std::string& chemicals, long long start, long long start_local,
                     long long stop, long long stop_local, const std::string& users = "alice",
                     const std::string& comment = "comment") {
  return "{\"users\":\"" + users + "\",\"date\":\"" + date + "\",\"shift\":\"" + shift +
         "\",\"comment\":\"" + comment + "\",\"td_support\":\"bob\",\"chemicals\":[" + chemicals +
         "],\"start\":" + std::to_string(start) +
         ",\"start_local\":" + std::to_string(start_local) + ",\"stop\":" + std::to_string(stop) +
         ",\"stop_local\":" + std::to_string(stop_local) + "}";
}

std::string schedule_of(Api& api, long long bt) {
  return api.get("/api/schedule/" + std::to_string(bt)).body;
}

}  // namespace

TEST_CASE("a schedule is stored and read back with derived times (T37)", "[schedule]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T37");
  CHECK(schedule_of(api, bt) == "{\"schedule\":[]}");
  const auto c = create_chemical(api, bt, "lyso");

  auto r = api.post("/api/schedule",
                    schedule_body(bt, {row("2025-04-30", "10:00-11:00", {c}, "alice", "first"),
                                       row("2025-04-30", "11:00-12:00", {}, "carol", "second")}));
  REQUIRE(r.status == 200);
  const std::string expected =
      "{\"schedule\":[" +
      row_json("2025-04-30", "10:00-11:00", std::to_string(c), 1746007200000, 1746007200000,
               1746010800000, 1746010800000, "alice", "first") +
      "," +
      row_json("2025-04-30", "11:00-12:00", "", 1746010800000, 1746010800000, 1746014400000,
               1746014400000, "carol", "second") +
      "]}";
  CHECK(r.body == expected);
  CHECK(schedule_of(api, bt) == expected);

  auto cleared = api.post("/api/schedule", schedule_body(bt, json::array{}));
  REQUIRE(cleared.status == 200);
  CHECK(cleared.body == "{\"schedule\":[]}");
  CHECK(schedule_of(api, bt) == "{\"schedule\":[]}");
  CHECK(count_rows(api.db(), "BeamtimeSchedule", "beamtime_id = " + std::to_string(bt)) == 0);
  CHECK(schedule_of(api, 987654321) == "{\"schedule\":[]}");
  require_422(api.get("/api/schedule/abc"));
}

TEST_CASE("schedule shifts: one-digit hours; crossing midnight", "[schedule]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "shift forms");
  auto r = api.post("/api/schedule", schedule_body(bt, {row("2025-04-30", "9:00-10:00"),
                                                        row("2025-04-30", "22:00-06:00")}));
  REQUIRE(r.status == 200);
  CHECK(r.body == "{\"schedule\":[" +
                      row_json("2025-04-30", "9:00-10:00", "", 1746003600000, 1746003600000,
                               1746007200000, 1746007200000) +
                      "," +
                      // The stop uses the same date, so it lies before the start.
                      row_json("2025-04-30", "22:00-06:00", "", 1746050400000, 1746050400000,
                               1745992800000, 1745992800000) +
                      "]}");
}

TEST_CASE("schedule times use AMARCORD_TZ", "[schedule]") {
  ServerOnFreshDb berlin({}, {{"AMARCORD_TZ", "Europe/Berlin"}});
  Api api(berlin);
  const auto bt = create_beamtime(api, "berlin");
  auto r = api.post(
      "/api/schedule",
      schedule_body(bt, {row("2025-04-30", "10:00-11:00"), row("2025-01-15", "10:00-11:00"),
                         row("2025-03-30", "02:30-03:30"), row("2025-10-26", "02:30-03:30")}));
  REQUIRE(r.status == 200);
  const std::string expected = "{\"schedule\":[" +
                               row_json("2025-04-30", "10:00-11:00", "", 1746000000000,
                                        1746007200000, 1746003600000, 1746010800000) +
                               "," +
                               row_json("2025-01-15", "10:00-11:00", "", 1736931600000,
                                        1736935200000, 1736935200000, 1736938800000) +
                               "," +
                               // 02:30 does not exist that night: the offset before the gap
                               // applies, so it reads back as 03:30, like 03:30 itself.
                               row_json("2025-03-30", "02:30-03:30", "", 1743298200000,
                                        1743305400000, 1743298200000, 1743305400000) +
                               "," +
                               // 02:30 happens twice: the first (summer time) one counts.
                               row_json("2025-10-26", "02:30-03:30", "", 1761438600000,
                                        1761445800000, 1761445800000, 1761449400000) +
                               "]}";
  CHECK(r.body == expected);
  CHECK(schedule_of(api, bt) == expected);
}

TEST_CASE("schedule chemicals are resolved; unknown ones dropped; duplicates merged",
          "[schedule]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "schedule chemicals");
  const auto c1 = create_chemical(api, bt, "one");
  const auto c2 = create_chemical(api, bt, "two");
  const auto r = api.post_ok(
      "/api/schedule", schedule_body(bt, {row("2025-04-30", "10:00-11:00", {c2, 987654321, c1, c2}),
                                          row("2025-04-30", "11:00-12:00", {987654321})}));
  const auto rows = r.at("schedule").as_array();
  REQUIRE(rows.size() == 2);
  std::vector<long long> ids;
  for (const auto& id : rows[0].at("chemicals").as_array())
    ids.push_back(id.as_int64());
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<long long>{c1, c2});
  CHECK(rows[1].at("chemicals") == json::array{});
  CHECK(api.get_ok("/api/schedule/" + std::to_string(bt)) == r);

  // Deleting a chemical unlinks it from the schedule.
  api.del_ok("/api/chemicals", json::object{{"id", c2}});
  CHECK(api.get_ok("/api/schedule/" + std::to_string(bt)).at("schedule").at(0).at("chemicals") ==
        json::array{c1});
}

TEST_CASE("a POST replaces the whole schedule", "[schedule]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "schedule replace");
  const auto other = create_beamtime(api, "schedule untouched");
  const auto c = create_chemical(api, bt, "c");
  api.post_ok("/api/schedule", schedule_body(other, {row("2025-05-01", "08:00-16:00")}));
  const auto other_before = schedule_of(api, other);
  api.post_ok("/api/schedule", schedule_body(bt, {row("2025-04-30", "10:00-11:00", {c}),
                                                  row("2025-04-30", "11:00-12:00", {c})}));
  auto r =
      api.post("/api/schedule", schedule_body(bt, {row("2025-05-02", "00:00-08:00", {}, "dan")}));
  REQUIRE(r.status == 200);
  const std::string expected = "{\"schedule\":[" +
                               row_json("2025-05-02", "00:00-08:00", "", 1746144000000,
                                        1746144000000, 1746172800000, 1746172800000, "dan") +
                               "]}";
  CHECK(r.body == expected);
  CHECK(schedule_of(api, bt) == expected);
  CHECK(count_rows(api.db(), "BeamtimeSchedule", "beamtime_id = " + std::to_string(bt)) == 1);
  CHECK(count_rows(api.db(), "BeamtimeScheduleHasChemical", "chemical_id = " + std::to_string(c)) ==
        0);
  CHECK(schedule_of(api, other) == other_before);
}

TEST_CASE("invalid dates and shifts are refused; the old schedule stays (T38)", "[schedule]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T38");
  const auto c = create_chemical(api, bt, "c");
  api.post_ok("/api/schedule", schedule_body(bt, {row("2025-04-30", "10:00-11:00", {c})}));
  const auto before = schedule_of(api, bt);
  const auto rows_before = count_rows(api.db(), "BeamtimeSchedule");
  const std::vector<std::pair<std::string, std::string>> bad = {{"2025-13-01", "10:00-11:00"},
                                                                {"x", "10:00-11:00"},
                                                                {"2025-02-30", "10:00-11:00"},
                                                                {"2025-04-30", "10:00"},
                                                                {"2025-04-30", "25:00-26:00"},
                                                                {"2025-04-30", "a-b"},
                                                                {"2025-04-30", "10:00-11:00-12:00"},
                                                                {"2025-04-30", ""},
                                                                {"", "10:00-11:00"}};
  for (const auto& [date, shift] : bad) {
    INFO(date << " / " << shift);
    require_400(api.post("/api/schedule", schedule_body(bt, {row(date, shift)})));
    // Also when the bad row follows a good one.
    require_400(api.post("/api/schedule",
                         schedule_body(bt, {row("2025-05-01", "10:00-11:00"), row(date, shift)})));
    CHECK(schedule_of(api, bt) == before);
  }
  CHECK(count_rows(api.db(), "BeamtimeSchedule") == rows_before);
}

TEST_CASE("schedule body refusals (decisions 2 and 11)", "[schedule]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "schedule refusals");
  const auto rows_before = count_rows(api.db(), "BeamtimeSchedule");
  require_400(
      api.post("/api/schedule", schedule_body(987654321, {row("2025-04-30", "10:00-11:00")})));
  for (const char* field : {"users", "shift", "td_support"}) {
    INFO(field);
    auto r = row("2025-04-30", "10:00-11:00");
    r[field] = std::string(256, 'x');
    const auto d = require_422(api.post("/api/schedule", schedule_body(bt, {r})));
    CHECK(d[0].at("type") == "string_too_long");
    CHECK(d[0].at("loc") == json::array{"body", "schedule", 0, field});
  }
  auto missing = row("2025-04-30", "10:00-11:00");
  missing.erase("chemicals");
  CHECK(require_422(api.post("/api/schedule", schedule_body(bt, {missing})))[0].at("loc") ==
        json::array{"body", "schedule", 0, "chemicals"});
  auto not_list = row("2025-04-30", "10:00-11:00");
  not_list["chemicals"] = "1";
  require_422(api.post("/api/schedule", schedule_body(bt, {not_list})));
  CHECK(count_rows(api.db(), "BeamtimeSchedule") == rows_before);

  // The comment is TEXT: long ones are fine.
  const std::string long_comment(5000, 'c');
  const auto ok =
      api.post_ok("/api/schedule",
                  schedule_body(bt, {row("2025-04-30", "10:00-11:00", {}, "alice", long_comment)}));
  CHECK(ok.at("schedule").at(0).at("comment").as_string().size() == 5000);
}

TEST_CASE("schedule: ids beyond 32 bits are unknown ids; not server errors", "[schedule]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "big ids schedule");
  const auto rows_before = count_rows(api.db(), "BeamtimeSchedule");
  CHECK(schedule_of(api, kBeyond32Bits) == "{\"schedule\":[]}");
  require_400(
      api.post("/api/schedule", schedule_body(kBeyond32Bits, {row("2025-04-30", "10:00-11:00")})));
  CHECK(count_rows(api.db(), "BeamtimeSchedule") == rows_before);
  const auto r = api.post_ok(
      "/api/schedule", schedule_body(bt, {row("2025-04-30", "10:00-11:00", {kBeyond32Bits})}));
  CHECK(r.at("schedule").at(0).at("chemicals") == json::array{});
}

TEST_CASE("concurrent schedule replacements never mix", "[schedule]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "schedule race");
  for (int round = 0; round < 5; ++round) {
    const auto mark = server_log_mark(shared_server());
    const auto results = concurrently(shared_server(), 6, [&](HttpClient& c, int i) {
      json::array rows;
      for (int k = 0; k < 3; ++k)
        rows.push_back(row("2025-04-30", "10:00-11:00", {}, "writer " + std::to_string(i)));
      return c.post("/api/schedule", schedule_body(bt, rows));
    });
    INFO(server_log_problems(shared_server(), mark));
    for (const auto& r : results) {
      INFO(r.status << " " << r.body);
      CHECK(r.status == 200);
    }
    const auto rows = api.get_ok("/api/schedule/" + std::to_string(bt)).at("schedule").as_array();
    INFO("round " << round << ": " << json::serialize(rows));
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].at("users") == rows[1].at("users"));
    CHECK(rows[0].at("users") == rows[2].at("users"));
  }
}
