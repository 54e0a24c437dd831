// The database server restarts or goes away under a running amarcord-server
// (PostgreSQL and MySQL only; these tests stop the shared database server,
// so ctest runs them alone).
#include <catch2/catch.hpp>
#include <thread>

#include "support/fixtures.hpp"

using namespace amarcord;
using namespace amarcord::test;

namespace {

unsigned poll_health(HttpClient& client, unsigned want, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  unsigned last = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    last = client.get("/api/health").status;
    if (last == want) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return last;
}

}  // namespace

TEST_CASE("after a database restart the next request succeeds", "[restart]") {
  const auto engine = engine_under_test();
  REQUIRE(engine != db::Backend::sqlite);
  ServerOnFreshDb s;
  auto client = s.client();
  REQUIRE(client.post("/api/beamtimes", beamtime_body("before restart")).status == 200);
  REQUIRE(client.get("/api/beamtimes").status == 200);

  control_database_server(engine, "restart");

  // Every pooled connection is dead now; the first request must still work.
  auto after = client.post("/api/beamtimes", beamtime_body("after restart"));
  CHECK(after.status == 200);
  auto list = client.get("/api/beamtimes");
  REQUIRE(list.status == 200);
  CHECK(list.json().at("beamtimes").as_array().size() == 2);
}

TEST_CASE("while the database is down: 503 JSON, then recovery", "[restart]") {
  const auto engine = engine_under_test();
  REQUIRE(engine != db::Backend::sqlite);
  ServerOnFreshDb s({"--db-acquire-timeout", "5"});
  auto client = s.client();
  REQUIRE(client.get("/api/health").status == 200);

  control_database_server(engine, "stop");
  try {
    auto health = client.get("/api/health");
    CHECK(health.status == 503);
    CHECK(health.json().at("status") == "unavailable");
    auto write = client.post("/api/beamtimes", beamtime_body("while down"));
    CHECK(write.status == 503);
    CHECK(write.json().at("detail").is_string());
    auto read = client.get("/api/beamtimes");
    CHECK(read.status == 503);
  } catch (...) {
    control_database_server(engine, "start");
    throw;
  }
  control_database_server(engine, "start");

  CHECK(poll_health(client, 200, std::chrono::seconds(30)) == 200);
  CHECK(client.post("/api/beamtimes", beamtime_body("after recovery")).status == 200);
  CHECK(s.server->wait_exit(std::chrono::milliseconds(0)) == std::nullopt);  // still running
}
