#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "beamtime_follower.hpp"

using amarcord::grabber::active_beamtime;

namespace {
std::string beamtime(long long id, long long start, long long end) {
  // The server's list entries carry more fields; the local ones differ from
  // the true UTC ones by the display time zone's offset.
  return "{\"id\": " + std::to_string(id) +
         ", \"external_id\": \"x\", \"start\": " + std::to_string(start) +
         ", \"end\": " + std::to_string(end) +
         ", \"start_local\": " + std::to_string(start + 3600000) +
         ", \"end_local\": " + std::to_string(end + 3600000) + "}";
}
std::string list(std::initializer_list<std::string> entries) {
  std::string out = "{\"beamtimes\": [";
  bool first = true;
  for (const auto& e : entries) {
    out += (first ? "" : ", ") + e;
    first = false;
  }
  return out + "]}";
}
}  // namespace

TEST_CASE("active beamtime: start <= now < end on the true UTC times", "[follower]") {
  const std::string one = list({beamtime(7, 1000, 2000)});
  CHECK_FALSE(active_beamtime(one, 999).has_value());
  CHECK(active_beamtime(one, 1000) == 7);
  CHECK(active_beamtime(one, 1999) == 7);
  CHECK_FALSE(active_beamtime(one, 2000).has_value());
  // start_local/end_local are not what is compared.
  CHECK(active_beamtime(one, 2500) == std::nullopt);
  CHECK(active_beamtime(list({}), 1500) == std::nullopt);
}

TEST_CASE("active beamtime: the latest start wins", "[follower]") {
  // The server sorts by start descending; the choice must not depend on order.
  const std::string a =
      list({beamtime(1, 100, 5000), beamtime(2, 300, 4000), beamtime(3, 200, 900)});
  const std::string b =
      list({beamtime(3, 200, 900), beamtime(2, 300, 4000), beamtime(1, 100, 5000)});
  CHECK(active_beamtime(a, 350) == 2);
  CHECK(active_beamtime(b, 350) == 2);
  CHECK(active_beamtime(a, 4500) == 1);  // 2 has ended
  CHECK(active_beamtime(a, 250) == 3);
  // Equal starts: the newer (larger) id.
  CHECK(active_beamtime(list({beamtime(4, 100, 900), beamtime(9, 100, 900)}), 500) == 9);
  CHECK(active_beamtime(list({beamtime(9, 100, 900), beamtime(4, 100, 900)}), 500) == 9);
}

TEST_CASE("active beamtime: odd entries are skipped, bad answers throw", "[follower]") {
  CHECK(active_beamtime(R"({"beamtimes": [{"id": 1, "start": 0}, 5, null,
                        {"id": "2", "start": 0, "end": 10},
                        {"id": 3, "start": 0.0, "end": 10.0}]})",
                        5) == 3);
  CHECK(active_beamtime(R"({"beamtimes": [], "other": 1})", 5) == std::nullopt);
  CHECK_THROWS_AS(active_beamtime("", 5), std::runtime_error);
  CHECK_THROWS_AS(active_beamtime("<html>502 Bad Gateway</html>", 5), std::runtime_error);
  CHECK_THROWS_AS(active_beamtime("[]", 5), std::runtime_error);
  CHECK_THROWS_AS(active_beamtime(R"({"beamtimes": {}})", 5), std::runtime_error);
  CHECK_THROWS_AS(active_beamtime(R"({"detail": "Internal Server Error"})", 5), std::runtime_error);
  CHECK_THROWS_AS(active_beamtime(R"({"beamtimes": [)", 5), std::runtime_error);
}
