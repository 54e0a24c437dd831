// Blocking database work runs on the worker pool: a request stuck behind a
// database lock does not stall other clients.
#include <soci/soci.h>

#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "support/fixtures.hpp"

using namespace amarcord;
using namespace amarcord::test;

TEST_CASE("a write waiting for a lock does not stall reads", "[concurrency]") {
  ServerOnFreshDb s;
  auto client = s.client();
  REQUIRE(client.post("/api/beamtimes", beamtime_body("existing")).status == 200);

  // Another database client takes a lock that blocks writes to Beamtime but
  // not reads.
  auto locker = s.db.connect();
  switch (s.db.engine()) {
    case db::Backend::sqlite:
      *locker << "BEGIN IMMEDIATE";
      break;
    case db::Backend::postgresql:
      *locker << "BEGIN";
      *locker << "LOCK TABLE \"Beamtime\" IN SHARE ROW EXCLUSIVE MODE";
      break;
    case db::Backend::mysql:
      *locker << "LOCK TABLES \"Beamtime\" READ";
      break;
  }

  const auto port = s.server->port();
  auto blocked = std::async(std::launch::async, [port] {
    HttpClient c(port);
    return c.post("/api/beamtimes", beamtime_body("waits for the lock")).status;
  });
  REQUIRE(blocked.wait_for(std::chrono::milliseconds(500)) == std::future_status::timeout);

  for (int i = 0; i < 10; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = client.get("/api/beamtimes");
    CHECK(r.status == 200);
    CHECK(client.get("/api/health").status == 200);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  }
  CHECK(blocked.wait_for(std::chrono::milliseconds(0)) == std::future_status::timeout);

  if (s.db.engine() == db::Backend::mysql) {
    *locker << "UNLOCK TABLES";
  } else {
    *locker << "ROLLBACK";
  }
  REQUIRE(blocked.wait_for(std::chrono::seconds(15)) == std::future_status::ready);
  CHECK(blocked.get() == 200);
  CHECK(client.get("/api/beamtimes").json().at("beamtimes").as_array().size() == 2);
}

TEST_CASE("many clients at once all get answers", "[concurrency]") {
  auto& shared = shared_server();
  const auto port = shared.server->port();
  std::vector<std::future<int>> clients;
  for (int t = 0; t < 8; ++t) {
    clients.push_back(std::async(std::launch::async, [port, t] {
      HttpClient c(port);
      int ok = 0;
      for (int i = 0; i < 25; ++i) {
        const auto r =
            (i % 5 == 0) ? c.post("/api/beamtimes",
                                  beamtime_body("c" + std::to_string(t) + "-" + std::to_string(i)))
                         : c.get("/api/beamtimes");
        ok += r.status == 200 ? 1 : 0;
      }
      return ok;
    }));
  }
  for (auto& f : clients)
    CHECK(f.get() == 25);
}
