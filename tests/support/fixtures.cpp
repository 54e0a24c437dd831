#include "support/fixtures.hpp"

namespace amarcord::test {

ServerOnFreshDb::ServerOnFreshDb(std::vector<std::string> extra_args,
                                 std::map<std::string, std::string> env)
    : db(engine_under_test()), data_dir(make_temp_dir("data")) {
  std::vector<std::string> args = {"--db-url", db.url(), "--data-dir", data_dir.string()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  server = ServerProcess::start(args, env);
}

ServerOnFreshDb::~ServerOnFreshDb() {
  server.reset();
  std::error_code ec;
  std::filesystem::remove_all(data_dir, ec);
}

ServerOnFreshDb& shared_server() {
  static ServerOnFreshDb instance;
  return instance;
}

boost::json::object beamtime_body(const std::string& external_id, long long start_local,
                                  long long end_local) {
  return {{"id", 0},
          {"external_id", external_id},
          {"beamline", "P12"},
          {"proposal", "BAG"},
          {"title", "Test beamtime"},
          {"comment", "comment"},
          {"start_local", start_local},
          {"end_local", end_local},
          {"analysis_output_path", "/"}};
}

}  // namespace amarcord::test
