// Starting, stopping and configuring the real binary.
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "support/fixtures.hpp"

using namespace amarcord::test;
namespace json = boost::json;

TEST_CASE("SIGTERM lets in-flight requests finish, closes idle connections, exits 0",
          "[lifecycle]") {
  ServerOnFreshDb s;
  RawConnection idle(s.server->port());
  idle.send("GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(idle.read_response().status == 200);

  // A request whose body is still on its way when the signal arrives.
  const std::string body = json::serialize(beamtime_body("in flight"));
  RawConnection busy(s.server->port());
  busy.send(
      "POST /api/beamtimes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 10));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  s.server->signal(SIGTERM);

  CHECK(idle.closed_by_peer(std::chrono::seconds(5)));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  busy.send(body.substr(10));
  auto r = busy.read_response();
  CHECK(r.status == 200);
  CHECK(r.connection_closed);

  auto exit = s.server->wait_exit(std::chrono::seconds(10));
  REQUIRE(exit.has_value());
  CHECK(exit->code == 0);
  // The acknowledged write is in the database.
  auto db = s.db.connect();
  CHECK(query_int(*db, "SELECT COUNT(*) FROM \"Beamtime\" WHERE external_id = 'in flight'") == 1);
  CHECK(s.server->log().find("shutting down") != std::string::npos);
}

TEST_CASE("SIGINT stops an idle server promptly", "[lifecycle]") {
  ServerOnFreshDb s;
  const auto t0 = std::chrono::steady_clock::now();
  const auto exit = s.server->stop(SIGINT);
  CHECK(exit.code == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
}

TEST_CASE("a request stuck past the grace period does not block shutdown", "[lifecycle]") {
  ServerOnFreshDb s({"--shutdown-grace", "1", "--body-timeout", "60"});
  RawConnection stuck(s.server->port());
  stuck.send("POST /api/beamtimes HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto t0 = std::chrono::steady_clock::now();
  const auto exit = s.server->stop(SIGTERM);
  CHECK(exit.code == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
}

TEST_CASE("invalid settings: one line naming the setting, exit status 2", "[lifecycle][cli]") {
  struct Case {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string mentions;
  };
  const std::vector<Case> cases = {
      {{"--listen", "nonsense"}, {}, "--listen"},
      {{"--threads", "0"}, {}, "--threads"},
      {{"--max-body-size", "12XB"}, {}, "--max-body-size"},
      {{"--db-url", "oracle://x/y"}, {}, "--db-url"},
      {{}, {{"AMARCORD_TZ", "Mars/Olympus_Mons"}}, "AMARCORD_TZ"},
      {{}, {{"AMARCORD_LISTEN", "1.2.3.4:99999"}}, "AMARCORD_LISTEN"},
      {{"--no-such-option"}, {}, "no-such-option"},
      {{"frobnicate"}, {}, "frobnicate"},
  };
  for (const auto& c : cases) {
    INFO("args/env naming " << c.mentions);
    const auto r = run_server_command(c.args, c.env);
    CHECK(r.status.code == 2);
    CHECK(r.output.find(c.mentions) != std::string::npos);
    CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
  }
}

TEST_CASE("--help documents every setting", "[lifecycle][cli]") {
  const auto r = run_server_command({"--help"});
  CHECK(r.status.code == 0);
  for (const char* word : {"--db-url", "--data-dir", "--listen", "--threads", "--config", "--tz",
                           "DB_URL", "AMARCORD_TZ", "AMARCORD_DATA_DIR", "migrate", "--no-migrate",
                           "--max-upload-size", "--db-pool-size"}) {
    INFO(word);
    CHECK(r.output.find(word) != std::string::npos);
  }
}

TEST_CASE("settings precedence: flags over environment over config file", "[lifecycle][cli]") {
  const auto dir = make_temp_dir("conf");
  const auto conf = dir / "amarcord.conf";
  {
    std::ofstream out(conf);
    out << "# test config\nlisten = 127.0.0.1:1\ndata-dir = " << (dir / "from-file").string()
        << "\n";
  }
  // The environment's listen address beats the file's; the flag's data dir
  // beats the file's.
  auto s =
      ServerProcess::start({"--config", conf.string(), "--data-dir", (dir / "from-flag").string()},
                           {{"AMARCORD_LISTEN", "127.0.0.1:0"}});
  CHECK(HttpClient(s->port()).get("/api/health").status == 200);
  CHECK(std::filesystem::exists(dir / "from-flag" / "amarcord.db"));
  CHECK_FALSE(std::filesystem::exists(dir / "from-file"));
  s->stop(SIGTERM);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a busy port is reported and the process exits 1", "[lifecycle][cli]") {
  auto& shared = shared_server();
  const auto dir = make_temp_dir("busy");
  const auto r = run_server_command({"--data-dir", dir.string(), "--listen",
                                     "127.0.0.1:" + std::to_string(shared.server->port())});
  CHECK(r.status.code == 1);
  CHECK(r.output.find("cannot listen") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("migrate command and --no-migrate", "[lifecycle]") {
  TestDatabase db(engine_under_test());
  const auto data = make_temp_dir("mig");
  // Without migrations the server refuses to start on an empty database.
  const auto refused = run_server_command({"--db-url", db.url(), "--data-dir", data.string(),
                                           "--no-migrate", "--listen", "127.0.0.1:0"});
  CHECK(refused.status.code == 1);
  CHECK(refused.output.find("amarcord-server migrate") != std::string::npos);

  const auto migrated =
      run_server_command({"migrate", "--db-url", db.url(), "--data-dir", data.string()});
  CHECK(migrated.status.code == 0);
  {
    auto s = db.connect();
    CHECK(query_text(*s, "SELECT version_num FROM alembic_version") == "340cda933bab");
    CHECK(query_int(*s, "SELECT COUNT(*) FROM amarcord_schema_version") ==
          query_int(*s, "SELECT MAX(version) FROM amarcord_schema_version"));
  }
  auto server =
      ServerProcess::start({"--db-url", db.url(), "--data-dir", data.string(), "--no-migrate"});
  CHECK(HttpClient(server->port()).post("/api/beamtimes", beamtime_body("m")).status == 200);
  server->stop(SIGTERM);
  // Migrating again is a no-op.
  CHECK(run_server_command({"migrate", "--db-url", db.url(), "--data-dir", data.string()})
            .status.code == 0);
  std::filesystem::remove_all(data);
}
