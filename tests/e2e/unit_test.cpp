// POST /api/unit end to end (api-core.md §3.9, §5.7 and behaviour T36).
#include <catch2/catch.hpp>

#include "e2e/core_helpers.hpp"

using namespace amarcord::test;
namespace json = boost::json;

namespace {

std::string check_unit(Api& api, const std::string& input) {
  auto r = api.post("/api/unit", json::object{{"input", input}});
  INFO(input << " -> " << r.status << " " << r.body);
  CHECK(r.status == 200);
  CHECK(r.header("content-type") == "application/json");
  return r.body;
}

}  // namespace

TEST_CASE("unit check answers in the body; always 200 (T36)", "[unit]") {
  Api api(shared_server());
  CHECK(check_unit(api, "mm") == "{\"input\":\"mm\",\"normalized\":\"1 millimeter\"}");
  CHECK(check_unit(api, "bananas") == "{\"input\":\"bananas\",\"error\":\"Invalid unit\"}");
  CHECK(check_unit(api, "") == "{\"input\":\"\",\"error\":\"Unit empty\"}");
}

TEST_CASE("unit check normalises compound and prefixed units", "[unit]") {
  Api api(shared_server());
  CHECK(check_unit(api, "mm/s") == "{\"input\":\"mm/s\",\"normalized\":\"1 millimeter/second\"}");
  CHECK(check_unit(api, "MHz") == "{\"input\":\"MHz\",\"normalized\":\"1 megahertz\"}");
  CHECK(check_unit(api, "m^2") == "{\"input\":\"m^2\",\"normalized\":\"1 meter\xC2\xB2\"}");
  CHECK(check_unit(api, "2.5 mm") == "{\"input\":\"2.5 mm\",\"normalized\":\"2.5 millimeter\"}");
}

TEST_CASE("unit check: what is not a unit", "[unit]") {
  Api api(shared_server());
  // Not trimmed: whitespace goes to the parser, which finds nothing.
  CHECK(check_unit(api, "   ") == "{\"input\":\"   \",\"error\":\"Invalid unit\"}");
  // A bare number is no quantity with a unit.
  CHECK(check_unit(api, "5") == "{\"input\":\"5\",\"error\":\"Invalid unit\"}");
  CHECK(check_unit(api, "mm/") == "{\"input\":\"mm/\",\"error\":\"Invalid unit\"}");
  CHECK(check_unit(api, "é\"\\") == "{\"input\":\"é\\\"\\\\\",\"error\":\"Invalid unit\"}");
}

TEST_CASE("unit check validates its body", "[unit]") {
  Api api(shared_server());
  const auto missing = require_422(api.post("/api/unit", json::object{}));
  CHECK(missing[0].at("type") == "missing");
  CHECK(missing[0].at("loc") == json::array{"body", "input"});
  const auto number = require_422(api.post("/api/unit", json::object{{"input", 5}}));
  CHECK(number[0].at("type") == "string_type");
  require_422(api.post("/api/unit", json::object{{"input", nullptr}}));
  const auto no_body = require_422(api.request("POST", "/api/unit"));
  CHECK(no_body[0].at("loc") == json::array{"body"});
}
