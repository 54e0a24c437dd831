// /api/events end to end (api-runs-events-files.md E1-E3, behaviours
// §11.27-29), with the port's decisions: an unknown level is 422, an unknown
// beamtime 400, the `user` level works on every engine; the run table and the
// overview show only `user` events. Plus the file behaviours §11.30, 32-35 as
// events see them.
#include <catch2/catch.hpp>

#include <cmath>
#include <thread>

#include "e2e/runs_helpers.hpp"

using namespace amarcord::test;
namespace json = boost::json;

namespace {

json::object event_body(long long bt, const std::string& level, const std::string& text,
                        const json::array& file_ids = {}, bool with_live_stream = false,
                        const std::string& source = "P11 user") {
  return {{"beamtime_id", bt},
          {"event", {{"source", source}, {"text", text}, {"level", level}, {"file_ids", file_ids}}},
          {"with_live_stream", with_live_stream}};
}

long long create_event(Api& api, const json::object& body) {
  auto r = api.post("/api/events", body);
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto j = r.json();
  REQUIRE(j.as_object().size() == 1);
  REQUIRE(j.at("id").is_int64());
  CHECK(r.body == "{\"id\":" + std::to_string(j.at("id").as_int64()) + "}");
  return j.at("id").as_int64();
}

json::object read_events(Api& api, long long bt) {
  return api.get_ok("/api/events/" + std::to_string(bt)).as_object();
}

std::vector<std::string> texts(const json::value& events) {
  std::vector<std::string> out;
  for (const auto& e : events.as_array())
    out.emplace_back(e.at("text").as_string());
  return out;
}

// An EventLog row with a chosen time; level is the stored member name.
void insert_event(const TestDatabase& db, long long bt, const std::string& level,
                  const std::string& text, const std::string& created) {
  exec_sql(db, "INSERT INTO \"EventLog\" (beamtime_id, created, level, source, text) VALUES (" +
                   std::to_string(bt) + ", " + sql_quote(created) + ", " + sql_quote(level) +
                   ", 'sql', " + sql_quote(text) + ")");
}

}  // namespace

TEST_CASE("E1-E3: create, list and delete an event (§11.27)", "[events]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "§11.27");
  const auto other = create_beamtime(api, "§11.27 other");
  const auto before = now_ms();
  const auto id = create_event(api, event_body(bt, "user", "sample changed to lyso"));
  const auto after = now_ms();
  const auto events = read_events(api, bt);
  CHECK(events.size() == 2);
  REQUIRE(events.at("events").as_array().size() == 1);
  const auto& e = events.at("events").at(0).as_object();
  CHECK(e.size() == 7);
  CHECK(e.at("id") == id);
  CHECK(e.at("source") == "P11 user");
  CHECK(e.at("text") == "sample changed to lyso");
  CHECK(e.at("level") == "user");
  CHECK(e.at("files") == json::array{});
  REQUIRE(e.at("created").is_int64());
  CHECK(e.at("created").as_int64() >= before - 1);
  CHECK(e.at("created").as_int64() <= after + 1);
  // AMARCORD_TZ=UTC; _local values are rounded, UTC ones truncated (§0.2).
  CHECK(std::abs(e.at("created_local").as_int64() - e.at("created").as_int64()) <= 1);
  CHECK(events.at("filter_dates") ==
        json::array{json::string(utc_date(e.at("created").as_int64()))});
  CHECK(count_rows(api.db(), "EventLog", "id = " + std::to_string(id) + " AND level = 'USER'") ==
        1);
  CHECK(api.get("/api/events/" + std::to_string(other)).body ==
        "{\"events\":[],\"filter_dates\":[]}");
  CHECK(api.get("/api/events/987654321").body == "{\"events\":[],\"filter_dates\":[]}");
  require_422(api.get("/api/events/x"));

  CHECK(api.del("/api/events", json::object{{"id", id}}).body == "{\"result\":true}");
  CHECK(read_events(api, bt).at("events").as_array().empty());
  const auto snapshot = db_snapshot(api.db());
  CHECK(api.del("/api/events", json::object{{"id", id}}).body == "{\"result\":true}");
  CHECK(api.del("/api/events", json::object{{"id", kBeyond32Bits}}).body == "{\"result\":true}");
  require_422(api.del("/api/events", json::object{}));
  require_422(api.del("/api/events", json::object{{"id", "x"}}));
  require_unchanged(api.db(), snapshot);
}

TEST_CASE("E1 links files; unknown file ids are ignored (§11.28)", "[events]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "§11.28");
  const std::string data = "first\nsecond\nlast";
  const auto file = upload_file(api, "test-file.txt", data, "a description");
  const auto id =
      create_event(api, event_body(bt, "user", "with a file", {file, 987654321, kBeyond32Bits}));
  const auto events = read_events(api, bt);
  REQUIRE(events.at("events").as_array().size() == 1);
  const auto& files = events.at("events").at(0).at("files").as_array();
  REQUIRE(files.size() == 1);
  const auto& f = files[0].as_object();
  CHECK(f.at("id") == file);
  CHECK(f.at("type_") == "text/plain");
  CHECK(f.at("size_in_bytes") == 17);
  CHECK(f.at("file_name") == "test-file.txt");
  CHECK(f.at("description") == "a description");
  CHECK_FALSE(f.contains("original_path"));
  CHECK_FALSE(f.contains("size_in_bytes_compressed"));
  CHECK(f.size() == 5);
  CHECK(count_rows(api.db(), "EventHasFile", "event_id = " + std::to_string(id)) == 1);
  // The run table and the overview show the same file object.
  CHECK(read_runs(api, bt).at("events").at(0).at("files") == json::value(files));
  CHECK(api.get_ok("/api/runs-overview/" + std::to_string(bt)).at("events").at(0).at("files") ==
        json::value(files));

  // Deleting the event unlinks the file but keeps it.
  api.del_ok("/api/events", json::object{{"id", id}});
  CHECK(count_rows(api.db(), "EventHasFile", "event_id = " + std::to_string(id)) == 0);
  CHECK(count_rows(api.db(), "File", "id = " + std::to_string(file)) == 1);
  CHECK(api.get("/api/files/" + std::to_string(file)).body == data);
}

TEST_CASE("E1 levels: all four work, others are 422 (§11.29)", "[events]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "§11.29");
  std::vector<long long> ids;
  for (const std::string level : {"info", "warning", "error", "user"}) {
    ids.push_back(create_event(api, event_body(bt, level, "a " + level + " event")));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto all = read_events(api, bt);
  CHECK(texts(all.at("events")) == std::vector<std::string>{"a user event", "a error event",
                                                            "a warning event", "a info event"});
  std::vector<std::string> levels;
  for (const auto& e : all.at("events").as_array())
    levels.emplace_back(e.at("level").as_string());
  CHECK(levels == std::vector<std::string>{"user", "error", "warning", "info"});
  // Only `user` events in the run table and the overview.
  CHECK(texts(read_runs(api, bt).at("events")) == std::vector<std::string>{"a user event"});
  CHECK(texts(api.get_ok("/api/runs-overview/" + std::to_string(bt)).at("events")) ==
        std::vector<std::string>{"a user event"});

  const auto before = db_snapshot(api.db());
  for (const std::string level : {"debug", "USER", "Info", "", "user "}) {
    INFO("level '" << level << "'");
    const auto d = require_422(api.post("/api/events", event_body(bt, level, "x")));
    CHECK(d[0].at("loc") == json::array{"body", "event", "level"});
  }
  // Unknown beamtime: 400.
  CHECK(
      require_400(api.post("/api/events", event_body(987654321, "user", "x"))).find("987654321") !=
      std::string::npos);
  require_400(api.post("/api/events", event_body(kBeyond32Bits, "user", "x")));
  // Malformed bodies: 422.
  auto no_event = event_body(bt, "user", "x");
  no_event.erase("event");
  require_422(api.post("/api/events", no_event));
  auto no_flag = event_body(bt, "user", "x");
  no_flag.erase("with_live_stream");
  require_422(api.post("/api/events", no_flag));
  auto bad_ids = event_body(bt, "user", "x");
  bad_ids["event"].as_object()["file_ids"] = "1";
  require_422(api.post("/api/events", bad_ids));
  auto no_text = event_body(bt, "user", "x");
  no_text["event"].as_object().erase("text");
  require_422(api.post("/api/events", no_text));
  require_422(api.post("/api/events", json::array{}));
  // The source is a VARCHAR(255).
  require_422(
      api.post("/api/events", event_body(bt, "user", "x", {}, false, std::string(256, 's'))));
  require_unchanged(api.db(), before);
  create_event(api, event_body(bt, "user", "255", {}, false, std::string(255, 's')));
}

TEST_CASE("E1 stores texts verbatim", "[events]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "event texts");
  const std::string text = "Ünïcödé ✓ \"quotes\" \\ back\nslash\t<b>html</b> 'single' 🧪";
  create_event(api, event_body(bt, "user", text, {}, false, "src ✓"));
  const std::string long_text(100000, 'x');
  create_event(api, event_body(bt, "info", long_text));
  const auto events = read_events(api, bt).at("events").as_array();
  REQUIRE(events.size() == 2);
  CHECK((events[0].at("text") == text.c_str() || events[1].at("text") == text.c_str()));
  CHECK((events[0].at("text") == long_text.c_str() || events[1].at("text") == long_text.c_str()));
}

TEST_CASE("E3 and R7 order events and their dates; R7 filters them by date", "[events]") {
  Api api(shared_server());
  RunsFixture f(api, "event dates");
  const auto bt = f.bt;
  insert_event(api.db(), bt, "USER", "u1", "2025-03-01 10:00:00.000000");
  insert_event(api.db(), bt, "INFO", "i1", "2025-03-01 11:00:00.000000");
  insert_event(api.db(), bt, "USER", "u2", "2025-03-03 23:59:59.999000");
  insert_event(api.db(), bt, "WARNING", "w1", "2025-03-05 00:00:00.000000");
  insert_event(api.db(), bt, "USER", "u0", "2025-02-28 08:00:00.000000");
  insert_event(api.db(), bt, "ERROR", "e1", "2025-02-27 08:00:00.000000");
  const auto all = read_events(api, bt);
  CHECK(texts(all.at("events")) == std::vector<std::string>{"w1", "u2", "i1", "u1", "u0", "e1"});
  CHECK(all.at("filter_dates") ==
        json::array{"2025-03-05", "2025-03-03", "2025-03-01", "2025-02-28", "2025-02-27"});
  CHECK(all.at("events").at(1).at("created") == utc_ms(2025, 3, 3, 23, 59, 59) + 999);

  // R7: only user events, and only their dates count.
  set_experiment_type(api, bt, f.etc);
  post_run(api, 1, run_body(bt, {}, json::array{}, utc_ms(2025, 3, 2, 12)));
  auto runs = read_runs(api, bt);
  CHECK(texts(runs.at("events")) == std::vector<std::string>{"u2", "u1", "u0"});
  CHECK(runs.at("filter_dates") ==
        json::array{"2025-03-03", "2025-03-02", "2025-03-01", "2025-02-28"});
  auto day = read_runs(api, bt, "date=2025-03-01");
  CHECK(texts(day.at("events")) == std::vector<std::string>{"u1"});
  CHECK(day.at("runs").as_array().empty());
  CHECK(day.at("filter_dates") == runs.at("filter_dates"));
  auto run_day = read_runs(api, bt, "date=2025-03-02");
  CHECK(run_day.at("events").as_array().empty());
  CHECK(external_ids(run_day) == std::vector<long long>{1});
  // The overview: user events newest first, all dates.
  CHECK(texts(api.get_ok("/api/runs-overview/" + std::to_string(bt)).at("events")) ==
        std::vector<std::string>{"u2", "u1", "u0"});
}

TEST_CASE("file behaviours of §11.30, 32-35", "[events][files]") {
  Api api(shared_server());
  // 17 bytes as in the original's fixture; the name is this test's own, as
  // de-duplication looks at every file of the server.
  const std::string data = "first\nsecond\nlast";
  const std::string name = "test-file-" + std::to_string(now_ms()) + ".txt";
  // 30: upload and download.
  const auto [body, type] =
      multipart_file("file", name, data, {{"description", "desc"}, {"deduplicate", "False"}});
  auto up = api.request("POST", "/api/files", body, {{"Content-Type", type}});
  REQUIRE(up.status == 200);
  const auto j = up.json().as_object();
  CHECK(j.at("file_name") == json::value(name));
  CHECK(j.at("type_") == "text/plain");
  CHECK(j.at("size_in_bytes") == 17);
  CHECK(j.contains("size_in_bytes_compressed"));
  const auto id = j.at("id").as_int64();
  auto down = api.get("/api/files/" + std::to_string(id));
  CHECK(down.body == data);
  CHECK(down.header("content-type") == "text/plain; charset=utf-8");
  CHECK(down.header("content-disposition").empty());
  // 32: de-duplication only for the exact text "True".
  const auto dedup = [&](const std::string& flag) {
    const auto [b, t] =
        multipart_file("file", name, data, {{"description", "desc"}, {"deduplicate", flag}});
    auto r = api.request("POST", "/api/files", b, {{"Content-Type", t}});
    REQUIRE(r.status == 200);
    return r.json().at("id").as_int64();
  };
  CHECK(dedup("True") == id);
  CHECK(dedup("true") != id);
  // 33: the raw upload, chunked with a form content type.
  std::string chunked =
      "POST /api/files/simple/txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
      "Content-Type: application/x-www-form-urlencoded\r\n"
      "Transfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\nc\r\n\nsecond\nlast\r\n0\r\n\r\n";
  auto raw = HttpClient(api.server().server->port()).raw(chunked);
  REQUIRE(raw.status == 200);
  const auto simple = raw.json().as_object();
  CHECK(std::string(simple.at("file_name").as_string()).ends_with(".txt"));
  CHECK(simple.at("description") == "");
  CHECK(simple.at("type_") == "text/plain");
  CHECK(simple.at("size_in_bytes") == 17);
  // 34: Content-Disposition.
  const std::string pdb = "ATOM      1  N   MET A   1      11.104   6.134  -6.504  1.00  0.00\n";
  const auto model = upload_file(api, "model.pdb", pdb);
  CHECK(api.get("/api/files/" + std::to_string(model))
            .header("content-disposition")
            .starts_with("attachment; filename=\"model.pdb\""));
  CHECK(api.get("/api/files/" + std::to_string(model) + "?suggested_name=x.pdb")
            .header("content-disposition")
            .starts_with("attachment; filename=\"x.pdb\""));
  const auto jpeg = upload_file(api, "image.jpg", fake_jpeg(3000, 1));
  CHECK(api.get("/api/files/" + std::to_string(jpeg)).header("content-disposition").empty());
  // 35: delete.
  CHECK(api.del("/api/files", json::object{{"id", id}}).body ==
        "{\"id\":" + std::to_string(id) + "}");
  CHECK(require_404(api.get("/api/files/" + std::to_string(id))) ==
        "file with id " + std::to_string(id) + " not found");
}
