// Shared pieces of the end-to-end tests.
#pragma once

#include <soci/soci.h>
#include <boost/json.hpp>

#include <memory>
#include <string>

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/test_db.hpp"

namespace amarcord::test {

// A fresh database of the engine under test plus a server on it.
struct ServerOnFreshDb {
  explicit ServerOnFreshDb(std::vector<std::string> extra_args = {},
                           std::map<std::string, std::string> env = {});
  ~ServerOnFreshDb();
  TestDatabase db;
  std::filesystem::path data_dir;
  std::unique_ptr<ServerProcess> server;
  HttpClient client() const { return HttpClient(server->port()); }
};

// One server per test process for tests that only touch rows they create.
ServerOnFreshDb& shared_server();

// A JsonBeamtimeInput body.
boost::json::object beamtime_body(const std::string& external_id, long long start_local = 1,
                                  long long end_local = 1000);

}  // namespace amarcord::test
